package dev.airlock.audit.bench;

import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageEvent;
import dev.airlock.audit.LineageException;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.LineageWriter;
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.StoreConfig;
import dev.airlock.audit.WriterConfig;
import dev.airlock.audit.WriterStats;
import dev.airlock.config.Protocol;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sustained records/s into a local PostgreSQL (embedded, default durability: fsync and synchronous
 * commit on) and the latency of durable-first writes under that load.
 *
 * <p>Arguments: {@code [records=300000] [durableSamples=2000] [batchSize=2000]}.
 */
public final class LineageWriterBench {

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path tmp = Files.createTempDirectory("lineage-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg"))
                .setServerConfig("max_wal_size", "4GB").start();
             LineageStore store = LineageStore.open(new StoreConfig(
                     "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "", 4, Duration.ofSeconds(2)))) {
            WriterConfig cfg = WriterConfig.defaults(tmp.resolve("spool")).withBatchSize(batch)
                    .withQueueCapacity(100_000).withDurableTimeout(Duration.ofSeconds(10));
            // warm-up
            run(store, cfg, 30_000, 0);
            System.out.println("--- measured run ---");
            run(store, cfg, records, samples);
        }
    }

    private static void run(LineageStore store, WriterConfig cfg, int records, int samples) throws Exception {
        SqlStatement st = new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(), Set.of(new TableRef("public", "customers")),
                Set.of(), false, null);
        SqlAnalysis analysis = new SqlAnalysis(List.of(st), "fp-bench");
        Decision allow = new Decision(Effect.ALLOW, null, List.of("agents-write"), List.of("sql.kind=write"),
                "Agents may write.", null, "sha256:bench", List.of(), Map.of());
        UUID session = UUID.randomUUID();
        AtomicLong backpressured = new AtomicLong();
        try (LineageWriter w = store.startWriter(cfg)) {
            long[] lat = new long[samples];
            Thread probe = new Thread(() -> {
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    try {
                        w.appendCommitted(DecisionRecorded.of(UUID.randomUUID(), allow)).toCompletableFuture().get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    lat[i] = System.nanoTime() - t0;
                }
            }, "durable-probe");
            long t0 = System.nanoTime();
            if (samples > 0) {
                probe.start();
            }
            CompletableFuture<Void> last = null;
            for (int i = 0; i < records; ) {
                UUID action = UUID.randomUUID();
                LineageEvent[] three = {
                    ActionRecorded.of(action, session, new SqlAction("prod", Protocol.POSTGRES,
                            "UPDATE customers SET tier = $1 WHERE id = $2", List.of("gold", Integer.toString(i)), analysis)),
                    DecisionRecorded.of(action, allow),
                    ResultRecorded.of(action, 1L, Duration.ofMillis(2), null, null)};
                for (LineageEvent e : three) {
                    while (true) {
                        CompletableFuture<Void> f = w.append(e).toCompletableFuture();
                        if (f.isCompletedExceptionally() && f.handle((v, x) -> x).join() instanceof LineageException.Backpressure) {
                            backpressured.incrementAndGet();
                            LockSupport.parkNanos(200_000);
                            continue;
                        }
                        last = f;
                        break;
                    }
                    i++;
                }
            }
            last.get(10, TimeUnit.MINUTES);
            long elapsed = System.nanoTime() - t0;
            if (samples > 0) {
                probe.join();
            }
            WriterStats s = w.stats();
            System.out.printf("records=%d elapsed=%.2fs throughput=%.0f records/s batch=%d queuePeak=%d backpressured=%d spooled=%d%n",
                    records, elapsed / 1e9, records / (elapsed / 1e9), cfg.batchSize(), s.queuePeak(), backpressured.get(),
                    s.spooled());
            if (samples > 0) {
                Arrays.sort(lat);
                System.out.printf("durable-first under load: n=%d p50=%.1fms p99=%.1fms max=%.1fms%n", samples,
                        lat[samples / 2] / 1e6, lat[(int) (samples * 0.99)] / 1e6, lat[samples - 1] / 1e6);
            }
        }
    }
}
