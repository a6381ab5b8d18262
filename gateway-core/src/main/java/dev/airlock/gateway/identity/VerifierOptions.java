package dev.airlock.gateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by all issuers of one {@link TokenVerifier}.
 *
 * @param fetchTimeout       connect and read timeout for discovery and JWKS requests
 * @param maxDocumentBytes   largest discovery document or JWKS accepted
 * @param keysTtl            age after which a JWKS is refreshed in the background; while the issuer is
 *                           unreachable the stale keys stay usable up to four times this age
 * @param minRefreshInterval at most one fetch per issuer in this interval, however many unknown {@code kid}s arrive
 * @param tokenCacheSize     how many verified tokens are remembered (until they expire)
 * @param fetchThreads       threads of the verifier's own executor for discovery and JWKS requests (blocking I/O)
 * @param verifyThreads      threads that check signatures and claims of uncached tokens (CPU only)
 * @param clock              the time source for token validity and refresh decisions
 */
public record VerifierOptions(Duration fetchTimeout, int maxDocumentBytes, Duration keysTtl,
                              Duration minRefreshInterval, int tokenCacheSize, int fetchThreads, int verifyThreads,
                              Clock clock) {

    public VerifierOptions {
        requirePositive("fetchTimeout", fetchTimeout);
        if (fetchTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fetchTimeout: " + fetchTimeout + " (expected: < 24d)");
        }
        if (maxDocumentBytes <= 0) {
            throw new IllegalArgumentException("maxDocumentBytes: " + maxDocumentBytes + " (expected: > 0)");
        }
        requirePositive("keysTtl", keysTtl);
        Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
        if (minRefreshInterval.isNegative()) {
            throw new IllegalArgumentException("minRefreshInterval: " + minRefreshInterval + " (expected: >= 0)");
        }
        if (tokenCacheSize < 0) {
            throw new IllegalArgumentException("tokenCacheSize: " + tokenCacheSize + " (expected: >= 0)");
        }
        if (fetchThreads <= 0) {
            throw new IllegalArgumentException("fetchThreads: " + fetchThreads + " (expected: > 0)");
        }
        if (verifyThreads <= 0) {
            throw new IllegalArgumentException("verifyThreads: " + verifyThreads + " (expected: > 0)");
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** 5 s timeouts, 256 KiB documents, keys refreshed after 15 min, at most one refresh per 30 s, 10 000 cached tokens,
     * two fetch threads and one verification thread per core. */
    public static VerifierOptions defaults() {
        return new VerifierOptions(Duration.ofSeconds(5), 256 * 1024, Duration.ofMinutes(15), Duration.ofSeconds(30),
                10_000, 2, Math.max(1, Runtime.getRuntime().availableProcessors()), Clock.systemUTC());
    }

    public VerifierOptions withClock(Clock clock) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    public VerifierOptions withMinRefreshInterval(Duration minRefreshInterval) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    public VerifierOptions withKeysTtl(Duration keysTtl) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    public VerifierOptions withTokenCacheSize(int tokenCacheSize) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    public VerifierOptions withFetchTimeout(Duration fetchTimeout) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    public VerifierOptions withMaxDocumentBytes(int maxDocumentBytes) {
        return new VerifierOptions(fetchTimeout, maxDocumentBytes, keysTtl, minRefreshInterval, tokenCacheSize, fetchThreads, verifyThreads, clock);
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
