package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process spools records while the store is unreachable and is killed (SIGKILL, no shutdown hook, no
 * close); the next process on the same spool file replays every acknowledged record exactly once.
 */
@ExtendWith(PostgresExtension.class)
class SpoolCrashIT {

    /** The child: a writer against a port nobody listens on; prints each record id once its append is acknowledged. */
    public static void main(String[] args) throws Exception {
        Path spool = Path.of(args[0]);
        int deadPort = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:" + deadPort + "/postgres");
        nowhere.setConnectTimeout(1);
        LineageWriter w = LineageWriter.start(nowhere, WriterConfig.defaults(spool).withBatchSize(50)
                .withRetryInterval(Duration.ofMinutes(10)));
        UUID session = UUID.randomUUID();
        List<ActionRecorded> events = new ArrayList<>();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ActionRecorded e = ActionRecorded.of(UUID.randomUUID(), session, Samples.update("UPDATE customers SET n = " + i));
            events.add(e);
            fs.add(w.append(e).toCompletableFuture());
        }
        for (int i = 0; i < n; i++) {
            fs.get(i).get(60, TimeUnit.SECONDS);
            System.out.println("acknowledged " + events.get(i).recordId());
        }
        System.out.println("all acknowledged");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // wait to be killed
    }

    @Test
    void acknowledgedRecordsSurviveAKilledProcess(TestDatabase db, @TempDir Path dir) throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Path spool = dir.resolve("lineage.spool");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolCrashIT.class.getName(), spool.toString(),
                Integer.toString(deadPort), "300")
                .redirectError(dir.resolve("child.err").toFile()).start();
        List<String> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null && !line.equals("all acknowledged"); ) {
                if (line.startsWith("acknowledged ")) {
                    acknowledged.add(line.substring("acknowledged ".length()));
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: the writer is never closed, the spool never cleanly shut
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acknowledged).as(Files.readString(dir.resolve("child.err"))).hasSize(300);

        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
             LineageWriter w = store.startWriter(WriterConfig.defaults(spool))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (w.stats().spoolRecords() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling the writer's own counter; there is no event to wait on from outside
            }
            assertThat(w.stats().replayed()).isEqualTo(300);
            List<String> stored = new ArrayList<>();
            store.queries().query("SELECT record_id FROM lineage.journal ORDER BY chain, seq").rows()
                    .forEach(r -> stored.add(r.get(0).toString()));
            assertThat(stored).containsExactlyElementsOf(acknowledged);
            assertThat(store.verify().ok()).isTrue();
        }
    }
}
