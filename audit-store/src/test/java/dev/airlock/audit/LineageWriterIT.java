package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.internal.EventCodec;
import dev.airlock.policy.SqlAction;
import dev.airlock.audit.internal.Spool;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class LineageWriterIT {

    @TempDir
    Path dir;
    private LineageStore store;
    private FlakyDataSource flaky;

    @BeforeEach
    void open(TestDatabase db) {
        store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
        flaky = new FlakyDataSource(store.dataSource());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private WriterConfig config() {
        return WriterConfig.defaults(dir.resolve("lineage.spool")).withRetryInterval(Duration.ofMillis(50));
    }

    private static List<LineageEvent> events(int n) {
        List<LineageEvent> out = new ArrayList<>();
        UUID session = UUID.randomUUID();
        for (int i = 0; i < n; i++) {
            out.add(ActionRecorded.of(UUID.randomUUID(), session, Samples.update("UPDATE customers SET n = " + i)));
        }
        return out;
    }

    private static void awaitAll(List<CompletableFuture<Void>> fs) throws Exception {
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private List<Object> storedIdsInChainOrder() {
        List<Object> ids = new ArrayList<>();
        store.queries().query("SELECT record_id FROM lineage.journal WHERE chain = 'main' ORDER BY seq").rows().forEach(r -> ids.add(r.get(0)));
        return ids;
    }

    private void awaitSpoolDrained(LineageWriter w) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (w.stats().spoolRecords() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the writer's own counter; there is no event to wait on from outside
        }
        assertThat(w.stats().spoolRecords()).isZero();
    }

    @Test
    void appendCompletesOnceCommitted() throws Exception {
        List<LineageEvent> es = events(500);
        try (LineageWriter w = LineageWriter.start(flaky, config().withBatchSize(64))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            es.forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
            w.appendCommitted(es.get(0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(w.stats().committed()).isEqualTo(501);
            assertThat(w.stats().spooled()).isZero();
        }
        assertThat(storedIdsInChainOrder()).containsExactlyElementsOf(es.stream().map(e -> (Object) e.recordId()).toList());
    }

    @Test
    void aTrickleIsCommittedInAFewTransactionsNotOneEach() throws Exception {
        List<LineageEvent> es = events(40);
        try (LineageWriter w = LineageWriter.start(flaky, config().withLinger(Duration.ofMillis(300)))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (LineageEvent e : es) {
                fs.add(w.append(e).toCompletableFuture());
                Thread.sleep(1); // a trickle: one record about every millisecond
            }
            awaitAll(fs);
            assertThat(w.stats().committed()).isEqualTo(40);
            assertThat(w.stats().transactions()).isBetween(1L, 3L);
        }
        assertThat(storedIdsInChainOrder()).containsExactlyElementsOf(es.stream().map(e -> (Object) e.recordId()).toList());
    }

    @Test
    void closeDoesNotWaitOutTheLingerAndLosesNothing() throws Exception {
        LineageEvent e = events(1).get(0);
        CompletableFuture<Void> f;
        long elapsed;
        try (LineageWriter w = LineageWriter.start(flaky, config().withLinger(Duration.ofSeconds(1)))) {
            f = w.append(e).toCompletableFuture();
            Thread.sleep(50); // the bulk lane has taken it and lingers
            long start = System.nanoTime();
            w.close();
            elapsed = System.nanoTime() - start;
        }
        assertThat(f).isCompleted();
        f.get();
        assertThat(TimeUnit.NANOSECONDS.toMillis(elapsed)).isLessThan(900);
        assertThat(storedIdsInChainOrder()).containsExactly(e.recordId());
    }

    @Test
    void aFullQueueIsRejectedAndCounted() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DataSource stuck = new BlockingDataSource(store.dataSource(), entered, release);
        try (LineageWriter w = LineageWriter.start(stuck, config().withQueueCapacity(2).withBatchSize(1))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            fs.add(w.append(events(1).get(0)).toCompletableFuture());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            fs.add(w.append(events(1).get(0)).toCompletableFuture());
            fs.add(w.append(events(1).get(0)).toCompletableFuture());
            CompletableFuture<Void> rejected = w.append(events(1).get(0)).toCompletableFuture();
            assertThatThrownBy(() -> rejected.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(LineageException.Backpressure.class);
            assertThat(w.stats().rejected()).isEqualTo(1);
            assertThat(w.stats().queuePeak()).isEqualTo(2);
            release.countDown();
            awaitAll(fs);
            assertThat(w.stats().committed()).isEqualTo(3);
        }
    }

    @Test
    void enqueueWaitsForRoomInsteadOfFailing() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DataSource stuck = new BlockingDataSource(store.dataSource(), entered, release);
        List<LineageEvent> es = events(4);
        try (LineageWriter w = LineageWriter.start(stuck, config().withQueueCapacity(2).withBatchSize(1))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            fs.add(w.append(es.get(0)).toCompletableFuture());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            fs.add(w.append(es.get(1)).toCompletableFuture());
            fs.add(w.append(es.get(2)).toCompletableFuture());
            CompletableFuture<Void> queued = w.enqueue(es.get(3)).toCompletableFuture();
            assertThat(queued).as("waits for room, does not fail").isNotDone();
            assertThat(w.stats().waiting()).isEqualTo(1);
            release.countDown();
            queued.get(10, TimeUnit.SECONDS);
            awaitAll(fs);
            assertThat(w.stats().delayed()).isEqualTo(1);
            assertThat(w.stats().rejected()).isZero();
        }
        assertThat(storedIdsInChainOrder()).containsExactlyElementsOf(es.stream().map(e -> (Object) e.recordId()).toList());
    }

    @Test
    void enqueueGivesUpAfterTheDurableTimeoutAndTheRecordIsNotWritten() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DataSource stuck = new BlockingDataSource(store.dataSource(), entered, release);
        List<LineageEvent> es = events(4);
        try (LineageWriter w = LineageWriter.start(stuck, config().withQueueCapacity(2).withBatchSize(1)
                .withDurableTimeout(Duration.ofMillis(200)))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            fs.add(w.append(es.get(0)).toCompletableFuture());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            fs.add(w.append(es.get(1)).toCompletableFuture());
            fs.add(w.append(es.get(2)).toCompletableFuture());
            CompletableFuture<Void> queued = w.enqueue(es.get(3)).toCompletableFuture();
            assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LineageException.Backpressure.class);
            assertThat(w.stats().rejected()).isEqualTo(1);
            release.countDown();
            awaitAll(fs);
        }
        assertThat(storedIdsInChainOrder()).containsExactlyElementsOf(es.subList(0, 3).stream().map(e -> (Object) e.recordId()).toList());
    }

    @Test
    void spoolsWhileUnreachableThenReplaysInOrderExactlyOnce() throws Exception {
        List<LineageEvent> es = events(300);
        flaky.down = true;
        try (LineageWriter w = LineageWriter.start(flaky, config().withBatchSize(50).withDurableTimeout(Duration.ofSeconds(30)))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            es.subList(0, 200).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            CompletableFuture<Void> privileged = w.appendCommitted(es.get(200)).toCompletableFuture();
            es.subList(201, 250).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
            assertThat(w.stats().spooled()).isEqualTo(250);
            assertThat(w.stats().storeReachable()).isFalse();
            assertThat(privileged).as("durable-first waits for PostgreSQL, not the spool").isNotDone();

            flaky.down = false;
            privileged.get(30, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> rest = new ArrayList<>();
            es.subList(250, 300).forEach(e -> rest.add(w.append(e).toCompletableFuture()));
            awaitAll(rest);
            awaitSpoolDrained(w);
        }
        List<Object> stored = storedIdsInChainOrder();
        assertThat(stored).containsExactlyInAnyOrderElementsOf(es.stream().map(e -> (Object) e.recordId()).toList());
        stored.remove(es.get(200).recordId()); // durable-first goes ahead of the bulk queue
        assertThat(stored).containsExactlyElementsOf(es.stream().filter(e -> e != es.get(200)).map(e -> (Object) e.recordId()).toList());
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void durableFirstFailsClosedWhenTheStoreCannotConfirmInTime() throws Exception {
        flaky.down = true;
        LineageWriter w = LineageWriter.start(flaky, config().withDurableTimeout(Duration.ofMillis(200)));
        try (w) {
            CompletableFuture<Void> privileged = w.appendCommitted(events(1).get(0)).toCompletableFuture();
            assertThatThrownBy(() -> privileged.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
        }
        assertThat(w.stats().spooled()).as("kept for replay, not lost").isEqualTo(1);
    }

    @Test
    void spoolSurvivesARestartAndIsReplayedExactlyOnce() throws Exception {
        List<LineageEvent> es = events(120);
        // The first 40 reached PostgreSQL but (say) the acknowledgement was lost, so they are spooled too.
        try (LineageWriter w = LineageWriter.start(flaky, config())) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            es.subList(0, 40).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
        }
        try (Spool s = Spool.open(dir.resolve("lineage.spool"), 1 << 30)) {
            s.append(es.subList(0, 40).stream().map(EventCodec::encode).toList());
        }
        flaky.down = true;
        try (LineageWriter w = LineageWriter.start(flaky, config())) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            es.subList(40, 120).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
            assertThat(w.stats().spoolRecords()).isEqualTo(120);
        }
        flaky.down = false;
        try (LineageWriter w = LineageWriter.start(flaky, config())) {
            awaitSpoolDrained(w);
            assertThat(w.stats().replayed()).isEqualTo(120);
        }
        assertThat(storedIdsInChainOrder()).containsExactlyElementsOf(es.stream().map(e -> (Object) e.recordId()).toList());
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void aCorruptedSpoolRecordIsALoudError() throws Exception {
        flaky.down = true;
        try (LineageWriter w = LineageWriter.start(flaky, config())) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            events(10).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("lineage.spool").toFile(), "rw")) {
            long mid = 40; // inside the first record's payload
            f.seek(mid);
            int b = f.read();
            f.seek(mid);
            f.write(b ^ 0x20);
        }
        assertThatThrownBy(() -> LineageWriter.start(flaky, config()))
                .isInstanceOf(LineageException.SpoolCorrupted.class)
                .hasMessageContaining("checksum mismatch at offset");
    }

    @Test
    void aFullSpoolFailsTheAppendInsteadOfLosingIt() throws Exception {
        flaky.down = true;
        try (LineageWriter w = LineageWriter.start(flaky, config().withSpoolMaxBytes(4_000).withBatchSize(1))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            events(30).forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            Throwable failure = null;
            for (CompletableFuture<Void> f : fs) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertThat(failure).isInstanceOf(LineageException.SpoolFull.class).hasMessageContaining("full");
            assertThat(w.stats().failed()).isPositive();
            assertThat(w.stats().spooled() + w.stats().failed()).isEqualTo(30);
        }
    }

    @Test
    void durableFirstDoesNotWaitBehindABulkBatch() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DataSource bulkStuck = new BlockingDataSource(store.dataSource(), entered, release);
        LineageEvent privileged = events(1).get(0);
        try (LineageWriter w = LineageWriter.start(bulkStuck, config())) {
            CompletableFuture<Void> bulk = w.append(events(1).get(0)).toCompletableFuture();
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("a bulk batch is in flight, and stuck").isTrue();
            w.appendCommitted(privileged).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(bulk).isNotDone();
            release.countDown();
            bulk.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.queries().query("SELECT record_id FROM lineage.journal WHERE chain = 'main.durable'").rows())
                .containsExactly(List.of(privileged.recordId()));
        ChainVerifier.Report r = store.verify();
        assertThat(r.ok()).isTrue();
        assertThat(r.chains()).isEqualTo(2);
    }

    /** Two action records for one action id at one instant: PostgreSQL cannot hold both (the key is action_id, at). */
    private static List<LineageEvent> withAClash(UUID session) {
        java.time.Instant at = java.time.Instant.now();
        UUID action = UUID.randomUUID();
        SqlAction sql = Samples.update("UPDATE customers SET n = 1");
        return List.of(events(1).get(0),
                new ActionRecorded(UUID.randomUUID(), at, action, session, sql, ActionRecorded.objectsOf(sql)),
                new ActionRecorded(UUID.randomUUID(), at, action, session, sql, ActionRecorded.objectsOf(sql)),
                events(1).get(0));
    }

    @Test
    void aRecordPostgresRefusesIsDeadLetteredAndTheRestOfItsBatchIsStored() throws Exception {
        List<LineageEvent> es = withAClash(UUID.randomUUID());
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        LineageWriter w = LineageWriter.start(flaky, config());
        try (w) {
            es.forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            assertThatThrownBy(() -> fs.get(2).get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LineageException.class)
                    .hasMessageContaining("PostgreSQL refused lineage record action " + es.get(2).recordId());
            for (int i : new int[] {0, 1, 3}) {
                fs.get(i).get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(w.stats().deadLettered()).isEqualTo(1);
        assertThat(storedIdsInChainOrder()).containsExactly(es.get(0).recordId(), es.get(1).recordId(), es.get(3).recordId());
        try (Spool rejected = Spool.open(dir.resolve("lineage.spool.rejected"), 1 << 20)) {
            assertThat(rejected.read(0, 10).envelopes()).extracting(e -> e.recordId()).containsExactly(es.get(2).recordId());
        }
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void aRefusedRecordInTheSpoolDoesNotHoldUpTheReplay() throws Exception {
        List<LineageEvent> es = withAClash(UUID.randomUUID());
        flaky.down = true;
        try (LineageWriter w = LineageWriter.start(flaky, config())) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            es.forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            awaitAll(fs);
            assertThat(w.stats().spooled()).isEqualTo(4);
            flaky.down = false;
            awaitSpoolDrained(w);
            assertThat(w.stats().deadLettered()).isEqualTo(1);
            assertThat(w.stats().replayed()).isEqualTo(3);
        }
        assertThat(storedIdsInChainOrder()).containsExactly(es.get(0).recordId(), es.get(1).recordId(), es.get(3).recordId());
        assertThat(store.verify().ok()).isTrue();
    }

    /** Blocks the bulk lane's getConnection until released (the durable lane, {@code *.durable}, passes). */
    private static final class BlockingDataSource implements DataSource {
        private final DataSource delegate;
        private final CountDownLatch entered;
        private final CountDownLatch release;

        BlockingDataSource(DataSource delegate, CountDownLatch entered, CountDownLatch release) {
            this.delegate = delegate;
            this.entered = entered;
            this.release = release;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (Thread.currentThread().getName().endsWith(".durable")) {
                return delegate.getConnection();
            }
            entered.countDown();
            try {
                // bounded, so that a failing test ends instead of leaving the writer's thread (and close) stuck
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
