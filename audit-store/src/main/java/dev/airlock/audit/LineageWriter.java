package dev.airlock.audit;

import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Journal;
import dev.airlock.audit.internal.Spool;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes lineage events in batches on its own threads (never the caller's, never an event loop): the
 * caller only queues the event; encoding, sealing and COPY happen on the writer.
 *
 * <p>{@link #append} completes when the record is durable: committed to PostgreSQL or, while
 * PostgreSQL is unreachable, forced to the local spool. {@link #appendCommitted} (durable-first, for
 * privileged actions) completes only once PostgreSQL has committed the record and fails after
 * {@link WriterConfig#durableTimeout()}. Durable-first records have their own lane: their own thread,
 * connection, small transactions and chain ({@link WriterConfig#durableChain()}), so they never wait
 * behind a bulk batch or the bulk chain's head lock.
 *
 * <p>While PostgreSQL is unreachable every record goes to the spool; spooled records are replayed in
 * order, exactly once, before anything newer of the bulk lane; a spool left by an earlier process is
 * replayed by the next writer on the same file. A record PostgreSQL refuses for what it contains (a
 * record id reused for another action, a value out of range) is isolated from its batch, written to
 * the dead-letter file next to the spool, logged as an error and counted; its stage fails.
 */
public final class LineageWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LineageWriter.class);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Wakes a lane waiting on its queue (close). */
    private static final Pending WAKE = new Pending(null, null, false);

    private final DataSource dataSource;
    private final WriterConfig config;
    private final Journal bulkJournal;
    private final Journal durableJournal;
    private final Spool spool;
    private final Path deadLetterPath;
    private final Object deadLetterLock = new Object();
    private Spool deadLetters;
    private final ArrayBlockingQueue<Pending> queue;
    /** Durable-first records, for the durable lane. */
    private final ArrayBlockingQueue<Pending> priority;
    /** Durable-first records the durable lane could not commit: the bulk lane spools them. */
    private final ConcurrentLinkedQueue<Pending> handoff = new ConcurrentLinkedQueue<>();
    private final Thread bulkThread;
    private final Thread durableThread;
    /** Spooled durable-first records by record id; only the bulk lane touches it. */
    private final Map<UUID, CompletableFuture<Void>> awaitingCommit = new HashMap<>();
    private final long lingerNanos;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    /** {@link #enqueue} calls waiting for room in the queue, oldest first. */
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicInteger queuePeak = new AtomicInteger();
    private volatile long spoolRecords;
    private volatile boolean reachable = true;
    private volatile boolean running = true;
    private volatile long nextRetryNanos;
    private long replayOffset;

    private LineageWriter(DataSource dataSource, WriterConfig config, Spool spool) {
        this.dataSource = dataSource;
        this.config = config;
        this.bulkJournal = new Journal(config.chain(), config.openLineageOutbox());
        this.durableJournal = new Journal(config.durableChain(), config.openLineageOutbox());
        this.spool = spool;
        this.deadLetterPath = config.spoolPath().resolveSibling(config.spoolPath().getFileName() + ".rejected");
        this.lingerNanos = config.linger().toNanos();
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.priority = new ArrayBlockingQueue<>(Math.max(16, config.queueCapacity() / 10));
        this.spoolRecords = spool.records();
        this.bulkThread = new Thread(this::runBulk, "lineage-writer-" + config.chain());
        this.bulkThread.setDaemon(true);
        this.durableThread = new Thread(this::runDurable, "lineage-writer-" + config.durableChain());
        this.durableThread.setDaemon(true);
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
        w.bulkThread.start();
        w.durableThread.start();
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

    /**
     * Queues the event like {@link #append}, but while the queue is full waits for room, without blocking
     * the caller, instead of failing at once: back-pressure for callers that can hold their own caller, such
     * as the gate holding an agent's statement. Appends that wait are served first come, first served.
     *
     * @return a stage that completes once the event is queued (its durability then follows as for
     *         {@link #append}), or fails with {@link LineageException.Backpressure} when no room came within
     *         {@link WriterConfig#durableTimeout()} (the event is then dropped: the caller must not go ahead),
     *         or when the writer is closed
     */
    public CompletionStage<Void> enqueue(LineageEvent event) {
        Objects.requireNonNull(event, "event");
        if (!running) {
            return CompletableFuture.failedFuture(new LineageException("lineage writer is closed"));
        }
        Pending p = new Pending(event, new CompletableFuture<>(), false);
        if (waitingCount.get() == 0 && queue.offer(p)) {
            queued();
            return QUEUED;
        }
        if (waitingCount.get() >= config.queueCapacity()) {
            rejected.incrementAndGet();
            return CompletableFuture.failedFuture(backpressure(false));
        }
        CompletableFuture<Void> queued = new CompletableFuture<>();
        waitingCount.incrementAndGet();
        waiting.add(new Waiting(p, queued));
        delayed.incrementAndGet();
        CompletableFuture.delayedExecutor(config.durableTimeout().toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (!queued.isDone()) {
                rejected.incrementAndGet(); // counted before the caller hears of it
                if (!queued.completeExceptionally(new LineageException.Backpressure("lineage queue full for "
                        + config.durableTimeout().toMillis() + " ms; the store cannot keep up"))) {
                    rejected.decrementAndGet();
                }
            }
        });
        queue.offer(WAKE); // should the queue have drained meanwhile, the bulk lane must not sleep on it
        return queued;
    }

    private static final CompletableFuture<Void> QUEUED = CompletableFuture.completedFuture(null);

    private LineageException.Backpressure backpressure(boolean durable) {
        return new LineageException.Backpressure("lineage queue full (" + (durable ? priority.size() + " durable-first"
                : config.queueCapacity()) + " records waiting); the store cannot keep up");
    }

    private void queued() {
        int d = depth.incrementAndGet();
        if (d > queuePeak.get()) {
            queuePeak.accumulateAndGet(d, Math::max);
        }
    }

    /** On the bulk lane: moves waiting appends into the queue while it has room, oldest first. */
    private void admitWaiting() {
        for (Waiting w; (w = waiting.peek()) != null; ) {
            if (w.queued.isDone()) { // timed out (or the writer closed): dropped, the caller was told
                waiting.poll();
                waitingCount.decrementAndGet();
                continue;
            }
            if (!queue.offer(w.pending)) {
                return;
            }
            waiting.poll();
            waitingCount.decrementAndGet();
            queued();
            if (!w.queued.complete(null)) {
                w.pending.dropped = true; // the timeout won the race: the caller went on without it
            }
        }
    }

    private CompletableFuture<Void> offer(LineageEvent event, boolean needCommit) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new LineageException("lineage writer is closed"));
            return f;
        }
        BlockingQueue<Pending> q = needCommit ? priority : queue;
        if (!q.offer(new Pending(event, f, needCommit))) {
            rejected.incrementAndGet();
            f.completeExceptionally(backpressure(needCommit));
            return f;
        }
        queued();
        return f;
    }

    public WriterStats stats() {
        return new WriterStats(committed.get(), spooled.get(), replayed.get(), rejected.get(), failed.get(),
                Math.max(0, depth.get()), queuePeak.get(), spoolRecords, reachable, deadLettered.get(), delayed.get(),
                waitingCount.get(), transactions.get());
    }

    // ------------------------------------------------------------------ durable lane

    private void runDurable() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            batch.clear();
            if (!take(priority, batch, config.batchSize(), IDLE_NANOS)) {
                if (!running && priority.isEmpty()) {
                    break;
                }
                continue;
            }
            List<Pending> ready = encode(batch);
            if (ready.isEmpty()) {
                continue;
            }
            try {
                write(durableJournal, ready);
                reachable = true;
                if (spoolRecords > 0) {
                    nextRetryNanos = System.nanoTime(); // PostgreSQL is back: replay the spool now, not at the next retry
                    queue.offer(WAKE);
                }
            } catch (SQLException | RuntimeException e) {
                // the bulk lane spools them; their stages complete when the spool is replayed (or time out)
                unreachable(e);
                handoff.addAll(ready);
                queue.offer(WAKE); // the bulk lane may be waiting for records; a full queue means it is not
                LockSupport.unpark(bulkThread);
            }
        }
    }

    // ------------------------------------------------------------------ bulk lane

    private void runBulk() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        while (true) {
            batch.clear();
            admitWaiting();
            for (Pending p; (p = handoff.poll()) != null; ) {
                batch.add(p);
            }
            if (!spool.isEmpty() && System.nanoTime() - nextRetryNanos >= 0) {
                replay();
            }
            long wait = spool.isEmpty() ? IDLE_NANOS : Math.max(0, Math.min(IDLE_NANOS, nextRetryNanos - System.nanoTime()));
            if (!take(queue, batch, config.batchSize(), batch.isEmpty() ? wait : 0) && batch.isEmpty()) {
                if (!running && queue.isEmpty() && handoff.isEmpty()) {
                    break;
                }
                continue;
            }
            linger(batch);
            List<Pending> ready = encode(batch);
            if (ready.isEmpty()) {
                continue;
            }
            if (spool.isEmpty()) {
                try {
                    write(bulkJournal, ready);
                    reachable = true;
                } catch (SQLException | RuntimeException e) {
                    unreachable(e);
                    toSpool(ready);
                }
            } else {
                toSpool(ready);
            }
        }
        if (!spool.isEmpty()) {
            log.warn("lineage writer closed with {} record(s) in spool {}; the next writer replays them",
                    spool.records(), spool.path());
        }
        for (CompletableFuture<Void> f : awaitingCommit.values()) {
            f.completeExceptionally(new LineageException("lineage writer closed before PostgreSQL committed the record"));
        }
        close(spool);
        if (deadLetters != null) {
            close(deadLetters);
        }
    }

    /**
     * A small batch waits {@link WriterConfig#linger()} for company. The lane sleeps rather than polling the
     * queue, so producers do not wake it record by record; {@link #close} and the durable lane's handoff
     * unpark it.
     */
    private void linger(List<Pending> batch) {
        if (lingerNanos == 0 || batch.size() >= config.lingerBelow() || !running) {
            return;
        }
        LockSupport.parkNanos(this, lingerNanos);
        admitWaiting();
        take(queue, batch, config.batchSize() - batch.size(), 0);
    }

    /** Moves up to {@code max} records into {@code batch}, waiting up to {@code waitNanos} for the first one. */
    private boolean take(ArrayBlockingQueue<Pending> q, List<Pending> batch, int max, long waitNanos) {
        int before = batch.size();
        q.drainTo(batch, max);
        if (batch.size() == before && waitNanos > 0 && running) {
            try {
                Pending p = q.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (p != null) {
                    batch.add(p);
                    q.drainTo(batch, max - 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
        int taken = 0;
        for (int i = batch.size() - 1; i >= before; i--) {
            if (batch.get(i) == WAKE) {
                batch.remove(i);
            } else {
                taken++;
            }
        }
        // handed-off records were counted when first queued
        depth.addAndGet(-taken);
        return !batch.isEmpty();
    }

    /** Encodes on this thread; an event that cannot be encoded fails alone. */
    private List<Pending> encode(List<Pending> batch) {
        List<Pending> ready = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.dropped) {
                continue;
            }
            if (p.envelope != null) {
                ready.add(p);
                continue;
            }
            try {
                p.envelope = EventCodec.encode(p.event);
                ready.add(p);
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                log.error("LINEAGE RECORD NOT WRITTEN: {} could not be encoded", p.event.getClass().getSimpleName(), e);
                p.future.completeExceptionally(new LineageException("lineage event could not be encoded: " + e.getMessage(), e));
            }
        }
        return ready;
    }

    /**
     * Commits the records in order and completes their stages. Records PostgreSQL refuses for their
     * content are isolated and dead-lettered; a failure to reach PostgreSQL is thrown, nothing completed.
     */
    private void write(Journal journal, List<Pending> batch) throws SQLException {
        List<Envelope> envs = new ArrayList<>(batch.size());
        batch.forEach(p -> envs.add(p.envelope));
        Map<UUID, String> refused = new HashMap<>();
        commitResilient(journal, envs, refused);
        committed.addAndGet(batch.size() - refused.size()); // before the stages complete: callers may read stats then
        for (Pending p : batch) {
            String why = refused.get(p.envelope.recordId());
            if (why == null) {
                p.future.complete(null);
            } else {
                p.future.completeExceptionally(new LineageException("PostgreSQL refused lineage record " + p.envelope
                        + ": " + why + " (kept in " + deadLetterPath + ")"));
            }
        }
    }

    /** Commits {@code envs}; puts the records PostgreSQL refuses for their content into {@code refused} and the dead-letter file. */
    private void commitResilient(Journal journal, List<Envelope> envs, Map<UUID, String> refused) throws SQLException {
        Exception failure;
        try {
            commit(journal, envs, false, refused);
            return;
        } catch (SQLException | RuntimeException e) {
            if (!isContentError(e)) {
                throw e;
            }
            failure = e;
        }
        if ("23505".equals(sqlState(failure))) {
            // a record (or its key) is stored already: a lost acknowledgement, a replay, or a reused id
            try {
                commit(journal, envs, true, refused);
                return;
            } catch (SQLException | RuntimeException e) {
                if (!isContentError(e)) {
                    throw e;
                }
                failure = e;
            }
        }
        if (envs.size() == 1) {
            deadLetter(envs, failure.getMessage() == null ? failure.toString() : failure.getMessage(), refused);
            if (!(failure instanceof SQLException)) {
                log.error("lineage record {} could not be written", envs.get(0), failure);
            }
            return;
        }
        int half = envs.size() / 2;
        commitResilient(journal, envs.subList(0, half), refused);
        commitResilient(journal, envs.subList(half, envs.size()), refused);
    }

    private void commit(Journal journal, List<Envelope> envs, boolean skipExisting, Map<UUID, String> refused)
            throws SQLException {
        Journal.Appended a;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                a = journal.append(c, envs, skipExisting);
                c.commit();
                transactions.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                journal.forget();
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the batch is spooled and replayed with an existence check
                }
                throw e;
            }
        }
        journal.committed(a);
        if (!a.conflicting().isEmpty()) {
            deadLetter(a.conflicting(), "another record with the same key is stored", refused);
        }
    }

    private void deadLetter(List<Envelope> envs, String why, Map<UUID, String> refused) {
        for (Envelope e : envs) {
            refused.put(e.recordId(), why);
        }
        deadLettered.addAndGet(envs.size());
        try {
            synchronized (deadLetterLock) {
                if (deadLetters == null) {
                    deadLetters = Spool.open(deadLetterPath, Long.MAX_VALUE);
                }
                deadLetters.append(envs);
            }
            log.error("LINEAGE RECORDS REFUSED BY POSTGRESQL: {} record(s) ({}) moved to {}: {}", envs.size(),
                    envs.size() <= 3 ? envs : envs.subList(0, 3) + "…", deadLetterPath, why);
        } catch (IOException | RuntimeException io) {
            failed.addAndGet(envs.size());
            log.error("LINEAGE RECORDS LOST: {} record(s) refused by PostgreSQL ({}) and the dead-letter file {} "
                    + "cannot be written ({})", envs.size(), why, deadLetterPath, io.getMessage());
        }
    }

    /** Whether PostgreSQL refused what a record contains (as opposed to being unreachable or broken). */
    private static boolean isContentError(Exception e) {
        if (e instanceof RuntimeException) {
            return !(e instanceof LineageException);
        }
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static String sqlState(Exception e) {
        return e instanceof SQLException s ? s.getSQLState() : null;
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
                Map<UUID, String> refused = new HashMap<>();
                commitResilientReplay(chunk.envelopes(), refused);
                replayOffset = chunk.next();
                replayed.addAndGet(chunk.envelopes().size() - refused.size());
                for (Envelope e : chunk.envelopes()) {
                    CompletableFuture<Void> f = awaitingCommit.remove(e.recordId());
                    if (f != null) {
                        String why = refused.get(e.recordId());
                        if (why == null) {
                            f.complete(null);
                        } else {
                            f.completeExceptionally(new LineageException("PostgreSQL refused lineage record " + e + ": " + why));
                        }
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

    private void commitResilientReplay(List<Envelope> envs, Map<UUID, String> refused) throws SQLException {
        // spooled records may have reached PostgreSQL before the acknowledgement was lost: skip what is stored
        try {
            commit(bulkJournal, envs, true, refused);
        } catch (SQLException | RuntimeException e) {
            if (!isContentError(e)) {
                throw e;
            }
            commitResilient(bulkJournal, envs, refused);
        }
        committed.addAndGet(envs.size() - refused.size());
    }

    private void unreachable(Exception e) {
        if (reachable) {
            log.warn("lineage store unreachable ({}), spooling to {}: {}", sqlState(e) == null ? e.getClass().getSimpleName()
                    : "SQLSTATE " + sqlState(e), spool.path(), e.getMessage());
        }
        reachable = false;
        nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
    }

    private static void close(Spool s) {
        try {
            s.close();
        } catch (IOException e) {
            log.error("closing lineage spool {}", s.path(), e);
        }
    }

    /** Stops accepting events, writes or spools everything queued, and stops the threads. */
    @Override
    public void close() {
        running = false;
        priority.offer(WAKE);
        queue.offer(WAKE);
        LockSupport.unpark(bulkThread); // it may be lingering
        try {
            durableThread.join();
            bulkThread.join(); // after the durable lane, which may still hand records over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Waiting w; (w = waiting.poll()) != null; ) {
            w.queued.completeExceptionally(new LineageException("lineage writer is closed"));
        }
        // an append that raced with close: fail it rather than leave its stage pending forever
        List<Pending> late = new ArrayList<>();
        priority.drainTo(late);
        queue.drainTo(late);
        for (Pending p : late) {
            if (p != WAKE) {
                p.future.completeExceptionally(new LineageException("lineage writer is closed"));
            }
        }
    }

    private record Waiting(Pending pending, CompletableFuture<Void> queued) {}

    private static final class Pending {
        final LineageEvent event;
        final CompletableFuture<Void> future;
        final boolean needCommit;
        Envelope envelope;
        /** Its {@link #enqueue} timed out just as it was queued: not written. */
        boolean dropped;

        Pending(LineageEvent event, CompletableFuture<Void> future, boolean needCommit) {
            this.event = event;
            this.future = future;
            this.needCommit = needCommit;
        }
    }
}
