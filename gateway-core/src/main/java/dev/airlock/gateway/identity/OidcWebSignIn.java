package dev.airlock.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.approvals.web.WebSignIn;
import dev.airlock.policy.Identity;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The web page's OIDC sign-in against one provider: the authorization code flow with PKCE ({@code S256}).
 * Endpoints come from the provider's discovery document. The access token is verified like every token
 * Airlock accepts (issuer, audience, signature, expiry, groups claim), and the ID token with the client id
 * as audience and the request's {@code nonce}; both must name the same subject.
 *
 * <p>The flow itself is a URL and one form POST (RFC 6749 §4.1, RFC 7636), written here with the JDK HTTP
 * client; the tokens are checked by {@link TokenVerifier} (Nimbus JOSE+JWT).
 */
public final class OidcWebSignIn implements WebSignIn, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final IssuerSettings provider;
    private final String clientId;
    private final String clientSecret;
    private final TokenVerifier accessTokens;
    private final TokenVerifier idTokens;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Clock clock;
    private volatile Endpoints endpoints;

    private record Endpoints(URI authorization, URI token) {
    }

    /**
     * @param provider     the provider approvers sign in with (its audiences are the access tokens')
     * @param clientId     Airlock's client id at the provider
     * @param clientSecret the client secret (confidential client, HTTP Basic), or {@code null} for a public client
     * @param accessTokens the verifier every Airlock token goes through
     */
    public OidcWebSignIn(IssuerSettings provider, String clientId, String clientSecret, TokenVerifier accessTokens,
                         Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret;
        this.accessTokens = Objects.requireNonNull(accessTokens, "accessTokens");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idTokens = TokenVerifier.create(java.util.List.of(provider.withAudiences(Set.of(clientId))),
                VerifierOptions.defaults().withClock(clock));
    }

    @Override
    public URI authorizationUrl(String state, String nonce, String codeChallenge, URI redirectUri) throws SignInException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirectUri.toString());
        q.put("scope", "openid email profile");
        q.put("state", state);
        q.put("nonce", nonce);
        q.put("code_challenge", codeChallenge);
        q.put("code_challenge_method", "S256");
        URI a = endpoints().authorization();
        return URI.create(a + (a.getRawQuery() == null ? "?" : "&") + form(q));
    }

    @Override
    public SignedIn redeem(String code, String codeVerifier, URI redirectUri, String nonce) throws SignInException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", redirectUri.toString());
        f.put("code_verifier", codeVerifier);
        f.put("client_id", clientId);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoints().token()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form(f)));
        if (clientSecret != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (enc(clientId) + ":" + enc(clientSecret)).getBytes(StandardCharsets.UTF_8)));
        }
        JsonNode r;
        int status;
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            status = res.statusCode();
            r = JSON.readTree(res.body());
        } catch (IOException e) {
            throw new SignInException("the identity provider's token endpoint is unreachable or answered garbage", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInException("interrupted");
        }
        if (status != 200 || r == null || !r.hasNonNull("access_token")) {
            String err = r != null && r.hasNonNull("error") ? r.get("error").asText() : "HTTP " + status;
            throw new SignInException("the identity provider refused the code (" + cut(err) + ")");
        }
        if (!r.hasNonNull("id_token")) {
            throw new SignInException("the identity provider returned no ID token (is the 'openid' scope allowed?)");
        }
        Identity id = verify(idTokens, r.get("id_token").asText(), "ID token");
        if (!nonce.equals(id.claims().get("nonce"))) {
            throw new SignInException("the ID token's nonce does not match this sign-in");
        }
        String access = r.get("access_token").asText();
        Identity who = verify(access);
        if (!who.subject().equals(id.subject()) || !who.issuer().equals(id.issuer())) {
            throw new SignInException("the access token and the ID token name different people");
        }
        Object exp = who.claims().get("exp");
        Instant expires = exp instanceof Number n ? Instant.ofEpochSecond(n.longValue())
                : exp instanceof java.util.Date d ? d.toInstant() : clock.instant().plus(Duration.ofMinutes(5));
        return new SignedIn(access, who, expires);
    }

    @Override
    public Identity verify(String accessToken) throws SignInException {
        Identity who = verify(accessTokens, accessToken, "access token");
        if (!who.issuer().equals(provider.issuer())) {
            throw new SignInException("the access token is from " + who.issuer() + ", not " + provider.issuer());
        }
        return who;
    }

    private static Identity verify(TokenVerifier v, String token, String what) throws SignInException {
        try {
            return v.verify(token).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new SignInException(what + " rejected: " + (c instanceof TokenRejectedException t ? t.getMessage() : c), c);
        } catch (TimeoutException e) {
            throw new SignInException(what + ": verification timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInException("interrupted");
        }
    }

    private Endpoints endpoints() throws SignInException {
        Endpoints e = endpoints;
        if (e != null) {
            return e;
        }
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(provider.discoveryUri()).timeout(TIMEOUT)
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            JsonNode d = res.statusCode() == 200 ? JSON.readTree(res.body()) : null;
            String a = d == null ? null : d.path("authorization_endpoint").asText(null);
            String t = d == null ? null : d.path("token_endpoint").asText(null);
            if (a == null || t == null) {
                throw new SignInException("the identity provider's discovery document (" + provider.discoveryUri()
                        + ") names no authorization_endpoint or token_endpoint");
            }
            URI au = URI.create(a);
            URI tu = URI.create(t);
            IssuerSettings.checkFetchable("token_endpoint", tu);
            e = new Endpoints(au, tu);
            endpoints = e;
            return e;
        } catch (IOException | IllegalArgumentException ex) {
            throw new SignInException("the identity provider's discovery document is unreachable or malformed", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SignInException("interrupted");
        }
    }

    private static String form(Map<String, String> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** Stops the ID-token verifier (the access-token verifier belongs to the caller). */
    @Override
    public void close() {
        idTokens.close();
    }
}
