package dev.airlock.gateway.identity.internal;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import dev.airlock.gateway.identity.IssuerSettings;
import dev.airlock.gateway.identity.TokenRejectedException;
import dev.airlock.gateway.identity.TokenRejection;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer's signing keys: resolved through discovery or a fixed JWKS URL, fetched on the fetch executor,
 * cached, refreshed in the background after the TTL and on an unknown {@code kid}, never more than once per
 * minimum refresh interval, with concurrent requests sharing one fetch.
 */
final class IssuerKeys {

    private static final Logger log = LoggerFactory.getLogger(IssuerKeys.class);
    static final int MIN_RSA_BITS = 2048;

    private final IssuerSettings settings;
    private final ResourceRetriever retriever;
    private final Executor executor;
    private final Clock clock;
    private final Duration ttl;
    private final Duration minRefreshInterval;

    // Guarded by this.
    private JWKSet keys;
    private Instant fetchedAt;
    private Instant lastAttempt;
    private Throwable lastFailure;
    private CompletableFuture<JWKSet> inFlight;
    /** The JWKS location learnt from discovery; reset after a failed fetch so that discovery is repeated. */
    private volatile URI discoveredJwksUri;

    IssuerKeys(IssuerSettings settings, ResourceRetriever retriever, Executor executor, Clock clock,
               Duration ttl, Duration minRefreshInterval) {
        this.settings = settings;
        this.retriever = retriever;
        this.executor = executor;
        this.clock = clock;
        this.ttl = ttl;
        this.minRefreshInterval = minRefreshInterval;
    }

    /** The keys to verify with now; fetches them first when there are none yet. */
    synchronized CompletableFuture<JWKSet> current() {
        Instant now = clock.instant();
        if (keys == null) {
            if (inFlight != null) {
                return inFlight;
            }
            if (!mayFetch(now)) {
                return CompletableFuture.failedFuture(unavailable(lastFailure));
            }
            return fetch(now);
        }
        if (inFlight == null && now.isAfter(fetchedAt.plus(ttl)) && mayFetch(now)) {
            fetch(now); // background refresh; the current keys stay in use meanwhile
        }
        return CompletableFuture.completedFuture(keys);
    }

    /**
     * Keys after a refresh caused by a token whose key was not in {@code seen}: a newer set when one arrived in
     * the meantime, the result of a new fetch when the rate limit allows one, and {@code seen} otherwise.
     */
    synchronized CompletableFuture<JWKSet> refreshAfterMiss(JWKSet seen) {
        if (keys != null && keys != seen) {
            return CompletableFuture.completedFuture(keys);
        }
        if (inFlight != null) {
            return inFlight;
        }
        Instant now = clock.instant();
        if (!mayFetch(now)) {
            return CompletableFuture.completedFuture(seen);
        }
        return fetch(now);
    }

    private boolean mayFetch(Instant now) {
        return lastAttempt == null || !now.isBefore(lastAttempt.plus(minRefreshInterval));
    }

    private CompletableFuture<JWKSet> fetch(Instant now) {
        lastAttempt = now;
        CompletableFuture<JWKSet> result = new CompletableFuture<>();
        inFlight = result;
        try {
            CompletableFuture.supplyAsync(this::load, executor).whenComplete((set, failure) -> settle(result, set, failure));
        } catch (RejectedExecutionException e) {
            settle(result, null, e);
        }
        return result;
    }

    private void settle(CompletableFuture<JWKSet> result, JWKSet set, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        synchronized (this) {
            if (inFlight == result) {
                inFlight = null;
            }
            if (cause == null) {
                keys = set;
                fetchedAt = clock.instant();
                lastFailure = null;
            } else {
                lastFailure = cause;
                discoveredJwksUri = null;
            }
        }
        if (cause == null) {
            result.complete(set);
        } else {
            log.warn("Fetching the signing keys of issuer {} failed: {}", settings.issuer(), cause.toString());
            result.completeExceptionally(unavailable(cause));
        }
    }

    private TokenRejectedException unavailable(Throwable cause) {
        return new TokenRejectedException(TokenRejection.KEYS_UNAVAILABLE, "issuer " + settings.issuer(), cause);
    }

    /** Blocking: runs on the fetch executor only. */
    private JWKSet load() {
        try {
            URI jwksUri = settings.discovery() ? discover() : settings.jwksUri();
            String body = retriever.retrieveResource(jwksUri.toURL()).getContent();
            JWKSet set = JWKSet.parse(body);
            List<JWK> usable = new ArrayList<>();
            for (JWK jwk : set.getKeys()) {
                JWK pub = usable(jwk);
                if (pub != null) {
                    usable.add(pub);
                }
            }
            log.debug("Fetched {} usable signing keys of issuer {} from {}", usable.size(), settings.issuer(), jwksUri);
            return new JWKSet(usable);
        } catch (IOException | java.text.ParseException | IllegalArgumentException e) {
            throw new CompletionException(e);
        }
    }

    private URI discover() throws IOException, java.text.ParseException {
        URI known = discoveredJwksUri;
        if (known != null) {
            return known;
        }
        URI doc = settings.discoveryUri();
        Map<String, Object> json = JSONObjectUtils.parse(retriever.retrieveResource(doc.toURL()).getContent());
        Object issuer = json.get("issuer");
        if (!settings.issuer().equals(issuer)) {
            throw new IOException("discovery document at " + doc + " names issuer " + issuer
                    + " (expected: " + settings.issuer() + ')');
        }
        Object jwks = json.get("jwks_uri");
        if (!(jwks instanceof String)) {
            throw new IOException("discovery document at " + doc + " has no jwks_uri");
        }
        URI uri = URI.create((String) jwks);
        IssuerSettings.checkFetchable("jwks_uri", uri);
        discoveredJwksUri = uri;
        return uri;
    }

    /** The public part of a key fit for verifying signatures, or {@code null} to skip it. */
    static JWK usable(JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return null;
        }
        if (jwk instanceof RSAKey) {
            return jwk.size() >= MIN_RSA_BITS ? jwk.toPublicJWK() : null;
        }
        if (jwk instanceof ECKey) {
            Curve c = ((ECKey) jwk).getCurve();
            return Curve.P_256.equals(c) || Curve.P_384.equals(c) || Curve.P_521.equals(c) ? jwk.toPublicJWK() : null;
        }
        if (jwk instanceof OctetKeyPair) {
            return Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve()) ? jwk.toPublicJWK() : null;
        }
        return null; // symmetric ("oct") keys are never used: no HMAC with a published key
    }
}
