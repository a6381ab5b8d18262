package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process with an embedded lineage store is stopped with SIGTERM while its own shutdown path still has records to
 * write (as Airlock's drain does): the embedded PostgreSQL must still be up for them, i.e. it must not be stopped
 * by a shutdown hook of its own running beside the owner's.
 */
class EmbeddedShutdownIT {

    static final int RECORDS = 200;

    /** The child: starts the store, prints "ready"; on SIGTERM waits a second, writes RECORDS records, closes in order. */
    public static void main(String[] args) throws Exception {
        EmbeddedLineageStore embedded = EmbeddedLineageStore.start(Path.of(args[0]), 0);
        LineageWriter w = embedded.store().startWriter(WriterConfig.defaults(Path.of(args[1])));
        Thread drain = new Thread(() -> {
            try {
                Thread.sleep(1_000); // the drain: sessions finishing before their last records are written
                UUID session = UUID.randomUUID();
                for (int i = 0; i < RECORDS; i++) {
                    w.append(ActionRecorded.of(UUID.randomUUID(), session, Samples.update("UPDATE t SET n = " + i)));
                }
                w.close();
                embedded.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "owner-shutdown");
        Runtime.getRuntime().addShutdownHook(drain);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void theOwnersShutdownStillReachesTheEmbeddedStore(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        Path spool = dir.resolve("lineage.spool");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EmbeddedShutdownIT.class.getName(), data.toString(),
                spool.toString())
                .redirectError(dir.resolve("child.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                // start-up output
            }
            child.destroy(); // SIGTERM: shutdown hooks run
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        String err = Files.readString(dir.resolve("child.err"));
        try (EmbeddedLineageStore again = EmbeddedLineageStore.start(data, 0)) {
            long stored = ((Number) again.store().queries().query("SELECT count(*) FROM lineage.actions").rows().get(0).get(0))
                    .longValue();
            assertThat(stored).as("written before PostgreSQL stopped, none left in the spool; child stderr:%n%s", err)
                    .isEqualTo(RECORDS);
        }
        assertThat(err).doesNotContain("spool");
    }
}
