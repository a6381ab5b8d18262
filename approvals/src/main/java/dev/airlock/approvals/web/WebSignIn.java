package dev.airlock.approvals.web;

import dev.airlock.policy.Identity;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * The OIDC side of the web page's sign-in, implemented by gateway-core (which verifies tokens): where to send
 * the browser, how to redeem the code it brings back, and how to check a kept session token again.
 * Methods may block on the network; the page calls them off any event loop.
 */
public interface WebSignIn {

    /**
     * The authorization request URL (response type {@code code}, PKCE {@code S256}).
     *
     * @param state         opaque value the provider echoes back
     * @param nonce         bound into the ID token
     * @param codeChallenge base64url(SHA-256(code verifier))
     * @param redirectUri   the page's callback
     */
    URI authorizationUrl(String state, String nonce, String codeChallenge, URI redirectUri) throws SignInException;

    /** Redeems {@code code} with the PKCE verifier; checks the ID token (signature, audience, nonce) and the access token. */
    SignedIn redeem(String code, String codeVerifier, URI redirectUri, String nonce) throws SignInException;

    /** Verifies a kept access token again (expiry, signature, issuer, audience) and maps it to an identity. */
    Identity verify(String accessToken) throws SignInException;

    /**
     * A completed sign-in.
     *
     * @param accessToken the token the session is kept as (verified again on every request)
     * @param identity    who signed in
     * @param expiresAt   when the session ends (the token's expiry)
     */
    record SignedIn(String accessToken, Identity identity, Instant expiresAt) {
        public SignedIn {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        @Override
        public String toString() {
            return "SignedIn[" + identity.subject() + ", until " + expiresAt + "]";
        }
    }

    /** Sign-in failed; the message is shown to the person signing in (never a token or secret). */
    final class SignInException extends Exception {
        public SignInException(String message) {
            super(message);
        }

        public SignInException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
