package dev.airlock.gateway.identity;

import dev.airlock.gateway.identity.internal.OidcTokenVerifier;
import dev.airlock.policy.Identity;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Verifies OIDC access tokens (signed JWTs) from a fixed set of issuers.
 *
 * <p>{@link #verify} never blocks and does little work on the calling thread: a cached token, or one refused on
 * its size, header or issuer, completes at once; otherwise discovery and JWKS requests run on the verifier's fetch
 * threads and signature checks on its verification threads, where the stage completes. A Netty caller hops back
 * with {@code channel.eventLoop().execute(...)}. A refused token completes the stage exceptionally with a
 * {@link TokenRejectedException} (not wrapped).
 */
public interface TokenVerifier extends AutoCloseable {

    /** Creates a verifier for {@code issuers}; no issuer is contacted until the first token arrives. */
    static TokenVerifier create(List<IssuerSettings> issuers, VerifierOptions options) {
        return new OidcTokenVerifier(issuers, options);
    }

    /** Verifies {@code token} and maps its claims; fails with {@link TokenRejectedException}. */
    CompletionStage<Identity> verify(String token);

    /** Stops the fetch executor; later verifications of uncached tokens fail with {@link TokenRejection#KEYS_UNAVAILABLE}. */
    @Override
    void close();
}
