package dev.airlock.gateway.identity.internal;

import com.nimbusds.jose.jwk.JWKSet;
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
 * minimum refresh interval, with concurrent requests sharing one fetch. While the issuer is unreachable the last
 * keys stay in use for up to {@value #MAX_AGE_IN_TTLS} TTLs after they were fetched.
 */
final class IssuerKeys {

    private static final Logger log = LoggerFactory.getLogger(IssuerKeys.class);
    /** Keys older than this many TTLs are no longer used while the issuer is unreachable. */
    static final int MAX_AGE_IN_TTLS = 4;

    private final IssuerSettings settings;
    private final ResourceRetriever retriever;
    private final Executor executor;
    private final Clock clock;
    private final Duration ttl;
    private final Duration minRefreshInterval;

    // Guarded by this.
    private KeyRing keys;
    private Instant fetchedAt;
    private Instant lastAttempt;
    private Throwable lastFailure;
    private CompletableFuture<KeyRing> inFlight;
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
    synchronized CompletableFuture<KeyRing> current() {
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
        if (now.isAfter(fetchedAt.plus(ttl.multipliedBy(MAX_AGE_IN_TTLS)))) {
            // Too old to keep trusting through an outage (a key may have been withdrawn): wait for a fresh set.
            if (inFlight != null) {
                return inFlight;
            }
            return mayFetch(now) ? fetch(now) : CompletableFuture.failedFuture(unavailable(lastFailure));
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
    synchronized CompletableFuture<KeyRing> refreshAfterMiss(KeyRing seen) {
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

    private CompletableFuture<KeyRing> fetch(Instant now) {
        lastAttempt = now;
        CompletableFuture<KeyRing> result = new CompletableFuture<>();
        inFlight = result;
        try {
            CompletableFuture.supplyAsync(this::load, executor).whenComplete((set, failure) -> settle(result, set, failure));
        } catch (RejectedExecutionException e) {
            settle(result, null, e);
        }
        return result;
    }

    private void settle(CompletableFuture<KeyRing> result, KeyRing set, Throwable failure) {
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
    private KeyRing load() {
        try {
            URI jwksUri = settings.discovery() ? discover() : settings.jwksUri();
            String body = retriever.retrieveResource(jwksUri.toURL()).getContent();
            KeyRing ring = KeyRing.of(JWKSet.parse(body));
            log.debug("Fetched {} usable signing keys of issuer {} from {}", ring.size(), settings.issuer(), jwksUri);
            return ring;
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
}
