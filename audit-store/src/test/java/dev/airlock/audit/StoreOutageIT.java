package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops a dedicated PostgreSQL in the middle of a write load and starts it again on the same data and port. */
class StoreOutageIT {

    @TempDir
    Path dir;

    private EmbeddedPostgres start(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    @Test
    void everyRecordIsStoredExactlyOnceAcrossAStoreOutage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("pg");
        EmbeddedPostgres pg = start(data, port);
        int total = 20_000;
        List<UUID> ids = new ArrayList<>(total);
        List<UUID> durable = new ArrayList<>();
        try (LineageStore store = LineageStore.open(new StoreConfig("jdbc:postgresql://localhost:" + port + "/postgres",
                "postgres", "", 4, Duration.ofMillis(500)))) {
            WriterConfig config = WriterConfig.defaults(dir.resolve("lineage.spool")).withBatchSize(500)
                    .withRetryInterval(Duration.ofMillis(100));
            try (LineageWriter w = store.startWriter(config)) {
                List<CompletableFuture<Void>> fs = new ArrayList<>(total);
                CountDownLatch halfway = new CountDownLatch(1);
                CountDownLatch restarted = new CountDownLatch(1);
                Thread load = new Thread(() -> {
                    UUID session = UUID.randomUUID();
                    for (int i = 0; i < total; i++) {
                        ActionRecorded e = ActionRecorded.of(UUID.randomUUID(), session,
                                Samples.update("UPDATE customers SET n = " + i));
                        ids.add(e.recordId());
                        if (i % 100 == 0) {
                            // a privileged action: its stage may fail closed while the store is down, but the
                            // record itself must still arrive, once
                            durable.add(e.recordId());
                            w.appendCommitted(e);
                        } else {
                            fs.add(w.append(e).toCompletableFuture());
                        }
                        if (i == total / 2) {
                            halfway.countDown();
                        }
                        if (i == total * 3 / 4) {
                            try {
                                restarted.await();
                            } catch (InterruptedException ex) {
                                return;
                            }
                        }
                    }
                }, "load");
                load.start();
                assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
                pg.close();
                long spooledWhileDown;
                // keep the load running against a dead store until the writer has spooled some of it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((spooledWhileDown = w.stats().spooled()) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // observing the writer's counters; nothing to await on
                }
                assertThat(spooledWhileDown).isPositive();
                pg = start(data, port);
                restarted.countDown();
                load.join(60_000);
                CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (w.stats().spoolRecords() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(w.stats().spoolRecords()).isZero();
                assertThat(w.stats().spooled()).isPositive();
            }
            List<List<Object>> counts = store.queries().query(
                    "SELECT count(*), count(DISTINCT record_id), (SELECT count(*) FROM lineage.actions) FROM lineage.journal").rows();
            assertThat(counts).containsExactly(List.of((long) total, (long) total, (long) total));
            List<Object> stored = new ArrayList<>();
            store.queries().query("SELECT record_id FROM lineage.journal ORDER BY chain, seq").rows().forEach(r -> stored.add(r.get(0)));
            assertThat(stored).containsExactlyInAnyOrderElementsOf(new ArrayList<Object>(ids));
            List<Object> bulkInOrder = new ArrayList<>();
            store.queries().query("SELECT record_id FROM lineage.journal WHERE chain = 'main' ORDER BY seq").rows()
                    .forEach(r -> bulkInOrder.add(r.get(0)));
            bulkInOrder.removeAll(durable); // those spooled while the store was down are replayed on the bulk chain
            List<Object> expected = new ArrayList<>(ids);
            expected.removeAll(durable);
            assertThat(bulkInOrder).containsExactlyElementsOf(expected);
            assertThat(store.verify().ok()).isTrue();
        } finally {
            pg.close();
        }
    }

    @Test
    void embeddedStoreKeepsItsDataAcrossRestarts() throws Exception {
        Path data = dir.resolve("embedded");
        UUID session = UUID.randomUUID();
        try (EmbeddedLineageStore e = EmbeddedLineageStore.start(data, 0);
             LineageWriter w = e.store().startWriter(WriterConfig.defaults(dir.resolve("s1")))) {
            w.appendCommitted(SessionEnded.of(session, "bye")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (EmbeddedLineageStore e = EmbeddedLineageStore.start(data, 0)) {
            assertThat(e.store().queries().query("SELECT reason FROM lineage.session_ends WHERE session_id = ?", session).rows())
                    .containsExactly(List.of("bye"));
            assertThat(e.store().verify().ok()).isTrue();
        }
    }
}
