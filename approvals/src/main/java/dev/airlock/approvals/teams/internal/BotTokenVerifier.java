package dev.airlock.approvals.teams.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the token the Bot Framework sends with every delivery to the messaging endpoint, as its connector
 * authentication requires: a JWT signed (RS256) by a key of the Bot Framework's OpenID metadata, issuer
 * {@value #ISSUER}, audience the bot's app id, within its validity (5 minutes of skew), the signing key endorsed
 * for the activity's channel ({@code msteams}), and its {@code serviceurl} claim equal to the activity's
 * {@code serviceUrl}. Keys are cached for a day; an unknown key id refetches them; refetches happen at most every
 * 5 minutes (a failed one keeps the keys it had).
 * Blocking (the first call and refreshes fetch the keys): never call it on an event loop.
 */
public final class BotTokenVerifier {

    private static final Logger log = LoggerFactory.getLogger(BotTokenVerifier.class);
    public static final String ISSUER = "https://api.botframework.com";
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Duration KEYS_TTL = Duration.ofHours(24);
    private static final Duration UNKNOWN_KEY_REFETCH = Duration.ofMinutes(5);
    /** While no keys could be fetched yet, deliveries are refused (503) and a fetch is tried again this often. */
    private static final Duration NO_KEYS_REFETCH = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Why a delivery's token is refused: the HTTP status to answer and the reason. */
    public record Refusal(int status, String reason) {
    }

    private record SigningKey(RSAKey key, Set<String> endorsements) {
    }

    private record Keys(Map<String, SigningKey> byId, Instant fetchedAt) {
    }

    private final URI metadataUrl;
    private final String appId;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient http;
    private volatile Keys keys;
    private Instant lastFetch = Instant.MIN;

    public BotTokenVerifier(URI metadataUrl, String appId, ObjectMapper json, Clock clock) {
        this.metadataUrl = metadataUrl;
        this.appId = appId;
        this.json = json;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * @param authorization the request's {@code Authorization} header, or {@code null}
     * @param channelId     the activity's {@code channelId}
     * @param serviceUrl    the activity's {@code serviceUrl}
     * @return {@code null} when the token is good, else why not
     */
    public Refusal verify(String authorization, String channelId, String serviceUrl) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Refusal(401, "missing Authorization: Bearer <Bot Framework token>");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(authorization.substring(7).trim());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return new Refusal(401, "Authorization: not a signed JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            return new Refusal(401, "token: alg " + jwt.getHeader().getAlgorithm() + " (expected: RS256)");
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null) {
            return new Refusal(401, "token: no kid");
        }
        SigningKey key;
        try {
            key = key(kid);
        } catch (IOException e) {
            log.warn("teams: the Bot Framework's signing keys could not be fetched from {}: {}", metadataUrl, e.toString());
            return new Refusal(503, "the Bot Framework's signing keys could not be fetched");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refusal(503, "interrupted");
        }
        if (key == null) {
            return new Refusal(401, "token: signed by unknown key " + cut(kid));
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(key.key()))) {
                return new Refusal(401, "token: signature does not verify");
            }
        } catch (JOSEException e) {
            return new Refusal(401, "token: signature does not verify (" + e.getMessage() + ")");
        }
        if (!ISSUER.equals(claims.getIssuer())) {
            return new Refusal(401, "token: issuer " + cut(claims.getIssuer()) + " (expected: " + ISSUER + ")");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(appId)) {
            return new Refusal(401, "token: audience " + aud + " (expected: this bot's app id " + appId + ")");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.toInstant().plus(CLOCK_SKEW).isBefore(now)) {
            return new Refusal(401, "token: expired" + (exp == null ? " (no exp)" : " at " + exp.toInstant()));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(CLOCK_SKEW).isAfter(now)) {
            return new Refusal(401, "token: not valid before " + nbf.toInstant());
        }
        if (channelId != null && !channelId.isBlank() && !key.endorsements().contains(channelId)) {
            return new Refusal(403, "token: key " + cut(kid) + " is not endorsed for channel " + cut(channelId));
        }
        Object claimed = claims.getClaim("serviceurl");
        if (!(claimed instanceof String s) || serviceUrl == null || !s.equals(serviceUrl)) {
            return new Refusal(403, "token: serviceurl " + cut(String.valueOf(claimed))
                    + " does not match the activity's serviceUrl " + cut(serviceUrl));
        }
        return null;
    }

    private SigningKey key(String kid) throws IOException, InterruptedException {
        Keys k = keys;
        Instant now = clock.instant();
        if (k != null && k.fetchedAt().plus(KEYS_TTL).isAfter(now)) {
            SigningKey found = k.byId().get(kid);
            if (found != null) {
                return found;
            }
        }
        synchronized (this) {
            k = keys;
            // stale keys or an unknown kid refetch, but at most every 5 minutes: an unreachable metadata endpoint or a
            // flood of made-up kids must not make every delivery wait for a fetch
            boolean due = k == null ? lastFetch.plus(NO_KEYS_REFETCH).isBefore(now)
                    : (k.fetchedAt().plus(KEYS_TTL).isBefore(now) || !k.byId().containsKey(kid))
                    && lastFetch.plus(UNKNOWN_KEY_REFETCH).isBefore(now);
            if (k == null && !due) {
                throw new IOException("the last fetch failed less than " + NO_KEYS_REFETCH.toSeconds() + " s ago");
            }
            if (due) {
                lastFetch = now;
                try {
                    keys = k = fetch();
                } catch (IOException e) {
                    if (k == null) {
                        throw e;
                    }
                    log.warn("teams: refreshing the Bot Framework's signing keys failed ({}); keeping the ones fetched at {}",
                            e.toString(), k.fetchedAt());
                }
            }
            return k.byId().get(kid);
        }
    }

    private Keys fetch() throws IOException, InterruptedException {
        JsonNode metadata = get(metadataUrl);
        String jwksUri = metadata.path("jwks_uri").asText(null);
        if (jwksUri == null) {
            throw new IOException(metadataUrl + ": no jwks_uri");
        }
        URI uri = URI.create(jwksUri);
        boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !("http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
            throw new IOException(metadataUrl + ": jwks_uri " + jwksUri + " is not https");
        }
        Map<String, SigningKey> byId = new HashMap<>();
        for (JsonNode n : get(uri).path("keys")) {
            try {
                JWK jwk = JWK.parse(json.writeValueAsString(n));
                if (!(jwk instanceof RSAKey rsa) || jwk.getKeyID() == null) {
                    continue;
                }
                Set<String> endorsements = new HashSet<>();
                n.path("endorsements").forEach(e -> endorsements.add(e.asText()));
                byId.put(jwk.getKeyID(), new SigningKey(rsa, Set.copyOf(endorsements)));
            } catch (ParseException e) {
                log.debug("teams: skipping an unreadable key in {}: {}", jwksUri, e.getMessage());
            }
        }
        log.info("teams: {} Bot Framework signing keys fetched from {}", byId.size(), jwksUri);
        return new Keys(Map.copyOf(byId), clock.instant());
    }

    private JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json")
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException(uri + ": HTTP " + r.statusCode());
        }
        return json.readTree(r.body());
    }

    private static String cut(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
