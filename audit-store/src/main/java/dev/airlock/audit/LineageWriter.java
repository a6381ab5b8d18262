package dev.airlock.audit;

import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Journal;
import dev.airlock.audit.internal.Spool;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes lineage events in batches on its own thread (never the caller's, never an event loop).
 *
 * <p>{@link #append} completes when the record is durable: committed to PostgreSQL or, while
 * PostgreSQL is unreachable, forced to the local spool. {@link #appendCommitted} (durable-first, for
 * privileged actions) completes only once PostgreSQL has committed the record and fails after
 * {@link WriterConfig#durableTimeout()}; such records go ahead of the bulk queue, in their own small
 * transaction, so their latency does not grow with the backlog. Spooled records are replayed in order, exactly once, before
 * anything newer; a spool left by an earlier process is replayed by the next writer on the same file.
 */
public final class LineageWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LineageWriter.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final DataSource dataSource;
    private final WriterConfig config;
    private final Journal journal;
    private final Spool spool;
    private final ArrayBlockingQueue<Pending> queue;
    /** Durable-first records: written ahead of the bulk queue, in their own small transaction. */
    private final ArrayBlockingQueue<Pending> priority;
    private final Thread thread;
    private final Map<UUID, CompletableFuture<Void>> awaitingCommit = new HashMap<>();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger queuePeak = new AtomicInteger();
    private volatile long spoolRecords;
    private volatile boolean reachable = true;
    private volatile boolean running = true;
    private long nextRetryNanos;
    private long replayOffset;

    private LineageWriter(DataSource dataSource, WriterConfig config, Spool spool) {
        this.dataSource = dataSource;
        this.config = config;
        this.journal = new Journal(config.chain());
        this.spool = spool;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.priority = new ArrayBlockingQueue<>(Math.max(16, config.queueCapacity() / 10));
        this.spoolRecords = spool.records();
        this.thread = new Thread(this::run, "lineage-writer-" + config.chain());
        this.thread.setDaemon(true);
    }

    /**
     * Starts a writer. A non-empty spool at {@link WriterConfig#spoolPath()} is replayed first.
     *
     * @throws LineageException.SpoolCorrupted when the spool holds a damaged record
     */
    public static LineageWriter start(DataSource dataSource, WriterConfig config) throws IOException {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(config, "config");
        Spool spool = Spool.open(config.spoolPath(), config.spoolMaxBytes());
        if (!spool.isEmpty()) {
            log.warn("lineage spool {} holds {} record(s) from an earlier run; replaying them first",
                    config.spoolPath(), spool.records());
        }
        LineageWriter w = new LineageWriter(dataSource, config, spool);
        w.thread.start();
        return w;
    }

    /** Queues the event; the stage completes when it is committed or spooled, and fails on backpressure or a full spool. */
    public CompletionStage<Void> append(LineageEvent event) {
        return offer(event, false);
    }

    /** Durable-first: the stage completes when PostgreSQL has committed the event, or fails after the durable timeout. */
    public CompletionStage<Void> appendCommitted(LineageEvent event) {
        return offer(event, true).toCompletableFuture()
                .orTimeout(config.durableTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private CompletionStage<Void> offer(LineageEvent event, boolean needCommit) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new LineageException("lineage writer is closed"));
            return f;
        }
        Envelope env = EventCodec.encode(event);
        if (!(needCommit ? priority : queue).offer(new Pending(env, f, needCommit))) {
            rejected.incrementAndGet();
            f.completeExceptionally(new LineageException.Backpressure("lineage queue full ("
                    + config.queueCapacity() + " records waiting); the store cannot keep up"));
            return f;
        }
        int depth = queue.size();
        queuePeak.accumulateAndGet(depth, Math::max);
        if (needCommit) {
            LockSupport.unpark(thread);
        }
        return f;
    }

    public WriterStats stats() {
        return new WriterStats(committed.get(), spooled.get(), replayed.get(), rejected.get(), failed.get(),
                queue.size() + priority.size(), queuePeak.get(), spoolRecords, reachable);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        while (true) {
            batch.clear();
            priority.drainTo(batch, config.batchSize());
            if (batch.isEmpty()) {
                queue.drainTo(batch, config.batchSize());
            }
            if (!spool.isEmpty() && System.nanoTime() - nextRetryNanos >= 0) {
                replay();
            }
            if (batch.isEmpty() && running) {
                LockSupport.parkNanos(POLL_NANOS);
                continue;
            }
            if (!batch.isEmpty()) {
                if (spool.isEmpty()) {
                    writeDirect(batch);
                } else {
                    toSpool(batch);
                }
            } else if (!running && queue.isEmpty() && priority.isEmpty()) {
                break;
            }
        }
        if (!spool.isEmpty()) {
            log.warn("lineage writer closed with {} record(s) in spool {}; the next writer replays them",
                    spool.records(), spool.path());
        }
        for (CompletableFuture<Void> f : awaitingCommit.values()) {
            f.completeExceptionally(new LineageException("lineage writer closed before PostgreSQL committed the record"));
        }
        try {
            spool.close();
        } catch (IOException e) {
            log.error("closing lineage spool {}", spool.path(), e);
        }
    }

    private void writeDirect(List<Pending> batch) {
        List<Envelope> envs = new ArrayList<>(batch.size());
        batch.forEach(p -> envs.add(p.envelope));
        try {
            try {
                commit(envs, false);
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                commit(envs, true); // a record id is already stored: the same event appended twice
            }
            reachable = true;
            committed.addAndGet(envs.size());
            batch.forEach(p -> p.future.complete(null));
        } catch (SQLException e) {
            unreachable(e);
            toSpool(batch);
        } catch (RuntimeException e) {
            log.error("lineage batch rejected by PostgreSQL; spooling it", e);
            unreachable(e);
            toSpool(batch);
        }
    }

    private void toSpool(List<Pending> batch) {
        List<Envelope> envs = new ArrayList<>(batch.size());
        batch.forEach(p -> envs.add(p.envelope));
        try {
            spool.append(envs);
        } catch (IOException | LineageException e) {
            failed.addAndGet(batch.size());
            log.error("LINEAGE RECORDS NOT DURABLE: {} record(s) could not be spooled: {}", batch.size(), e.getMessage());
            LineageException le = e instanceof LineageException x ? x
                    : new LineageException("spool " + spool.path() + ": " + e.getMessage(), e);
            batch.forEach(p -> p.future.completeExceptionally(le));
            return;
        }
        spooled.addAndGet(envs.size());
        spoolRecords = spool.records();
        for (Pending p : batch) {
            if (p.needCommit) {
                awaitingCommit.put(p.envelope.recordId(), p.future);
            } else {
                p.future.complete(null);
            }
        }
    }

    private void replay() {
        try {
            while (true) {
                Spool.Chunk chunk = spool.read(replayOffset, config.batchSize());
                if (chunk.envelopes().isEmpty()) {
                    break;
                }
                commit(chunk.envelopes(), true);
                replayOffset = chunk.next();
                replayed.addAndGet(chunk.envelopes().size());
                for (Envelope e : chunk.envelopes()) {
                    CompletableFuture<Void> f = awaitingCommit.remove(e.recordId());
                    if (f != null) {
                        f.complete(null);
                    }
                }
            }
            log.info("lineage spool {} replayed: {} record(s) now in PostgreSQL", spool.path(), spool.records());
            spool.clear();
            replayOffset = 0;
            spoolRecords = 0;
            reachable = true;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof LineageException.SpoolCorrupted) {
                log.error("LINEAGE SPOOL CORRUPTED: {}", e.getMessage());
            }
            unreachable(e);
        } catch (IOException e) {
            log.error("reading lineage spool {}", spool.path(), e);
            unreachable(e);
        }
    }

    private void unreachable(Exception e) {
        if (reachable) {
            log.warn("lineage store unreachable, spooling to {}: {}", spool.path(), e.getMessage());
        }
        reachable = false;
        nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
    }

    private void commit(List<Envelope> envs, boolean skipExisting) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                journal.append(c, envs, skipExisting);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the batch is spooled and replayed with an existence check
                }
                throw e;
            }
        }
    }

    /** Stops accepting events, writes or spools everything queued, and stops the thread. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Pending(Envelope envelope, CompletableFuture<Void> future, boolean needCommit) {}
}
