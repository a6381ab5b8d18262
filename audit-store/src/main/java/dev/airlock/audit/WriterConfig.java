package dev.airlock.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link LineageWriter} batches, waits and spools.
 *
 * @param chain              name of the hash chain the writer extends (replicas may share one); durable-first
 *                           records extend {@link #durableChain()}
 * @param queueCapacity      records waiting in memory before {@link LineageException.Backpressure}
 * @param batchSize          records per transaction, at most
 * @param durableTimeout     how long {@link LineageWriter#appendCommitted} waits for a commit before failing (fail closed)
 * @param spoolPath          local spool file used while PostgreSQL is unreachable; records PostgreSQL refuses go
 *                           to {@code <spoolPath>.rejected}
 * @param spoolMaxBytes      size limit of the spool file
 * @param retryInterval      how often an unreachable store is retried
 * @param openLineageOutbox  whether executed actions with data objects are queued for the {@link OpenLineageExporter}
 *                           (in {@code lineage.openlineage_outbox}, in the same transaction); off when nothing exports them
 * @param linger             how long the bulk lane waits for more records when it finds fewer than
 *                           {@link #lingerBelow()} queued, so that a trickle is committed in a few larger transactions
 *                           instead of many small ones (each costs a connection checkout, a chain-head lock, a COPY per
 *                           table and a commit); zero commits at once. Durable-first records never linger.
 */
public record WriterConfig(String chain, int queueCapacity, int batchSize, Duration durableTimeout, Path spoolPath,
                           long spoolMaxBytes, Duration retryInterval, boolean openLineageOutbox, Duration linger) {

    public WriterConfig {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(durableTimeout, "durableTimeout");
        Objects.requireNonNull(spoolPath, "spoolPath");
        Objects.requireNonNull(retryInterval, "retryInterval");
        Objects.requireNonNull(linger, "linger");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: '' (expected: non-empty)");
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: > 0)");
        }
        if (batchSize <= 0 || batchSize > 50_000) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: 1-50000)");
        }
        if (durableTimeout.isNegative() || durableTimeout.isZero()) {
            throw new IllegalArgumentException("durableTimeout: " + durableTimeout + " (expected: > 0)");
        }
        if (spoolPath.getFileName() == null) {
            throw new IllegalArgumentException("spoolPath: '" + spoolPath + "' (expected: a file name)");
        }
        if (spoolMaxBytes <= 0) {
            throw new IllegalArgumentException("spoolMaxBytes: " + spoolMaxBytes + " (expected: > 0)");
        }
        if (retryInterval.isNegative() || retryInterval.isZero()) {
            throw new IllegalArgumentException("retryInterval: " + retryInterval + " (expected: > 0)");
        }
        if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("linger: " + linger + " (expected: 0-1s)");
        }
    }

    /** 5 ms: at a few thousand records a second, batches of tens instead of a handful (see BENCHMARKS.md). */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

    /** The bulk lane lingers when it finds fewer records than this: a quarter of a batch, at most 256. */
    public int lingerBelow() {
        return Math.min(256, Math.max(1, batchSize / 4));
    }

    /**
     * Defaults: chain {@code main}, 100k queue, batches of up to 2,000, 2 s durable timeout, 1 GiB spool,
     * 1 s retry, no OpenLineage outbox, 5 ms linger.
     */
    public static WriterConfig defaults(Path spoolPath) {
        return new WriterConfig("main", 100_000, 2_000, Duration.ofSeconds(2), spoolPath, 1L << 30, Duration.ofSeconds(1),
                false, DEFAULT_LINGER);
    }

    /** The chain of durable-first records: {@code <chain>.durable}. */
    public String durableChain() {
        return chain + ".durable";
    }

    public WriterConfig withChain(String c) {
        return new WriterConfig(c, queueCapacity, batchSize, durableTimeout, spoolPath, spoolMaxBytes, retryInterval,
                openLineageOutbox, linger);
    }

    public WriterConfig withQueueCapacity(int n) {
        return new WriterConfig(chain, n, batchSize, durableTimeout, spoolPath, spoolMaxBytes, retryInterval, openLineageOutbox, linger);
    }

    public WriterConfig withBatchSize(int n) {
        return new WriterConfig(chain, queueCapacity, n, durableTimeout, spoolPath, spoolMaxBytes, retryInterval,
                openLineageOutbox, linger);
    }

    public WriterConfig withDurableTimeout(Duration d) {
        return new WriterConfig(chain, queueCapacity, batchSize, d, spoolPath, spoolMaxBytes, retryInterval, openLineageOutbox, linger);
    }

    public WriterConfig withSpoolMaxBytes(long n) {
        return new WriterConfig(chain, queueCapacity, batchSize, durableTimeout, spoolPath, n, retryInterval, openLineageOutbox, linger);
    }

    public WriterConfig withRetryInterval(Duration d) {
        return new WriterConfig(chain, queueCapacity, batchSize, durableTimeout, spoolPath, spoolMaxBytes, d, openLineageOutbox, linger);
    }

    public WriterConfig withLinger(Duration d) {
        return new WriterConfig(chain, queueCapacity, batchSize, durableTimeout, spoolPath, spoolMaxBytes, retryInterval,
                openLineageOutbox, d);
    }

    public WriterConfig withOpenLineageOutbox(boolean on) {
        return new WriterConfig(chain, queueCapacity, batchSize, durableTimeout, spoolPath, spoolMaxBytes, retryInterval, on, linger);
    }
}
