package dev.airlock.audit.bench;

import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageEvent;
import dev.airlock.audit.LineageException;
import dev.airlock.audit.LineageIds;
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
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
 * commit on) and the latency of durable-first writes under that load. Each logical action is three
 * records, as the gate writes them: the action with one data object, the decision, the result.
 *
 * <p>Besides wall-clock throughput it prints CPU time per record of this JVM (producer + writer) and of
 * the PostgreSQL server (postmaster and its backends, read from {@code /proc}), which stay meaningful on
 * a shared machine, and the load average before and after.
 *
 * <p>Arguments: {@code [records=300000] [durableSamples=2000] [batchSize=2000]}.
 */
public final class LineageWriterBench {

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path tmp = Files.createTempDirectory("lineage-bench");
        Path data = tmp.resolve("pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data)
                .setServerConfig("max_wal_size", "4GB").start();
             LineageStore store = LineageStore.open(new StoreConfig(
                     "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "", 4, Duration.ofSeconds(2)))) {
            WriterConfig cfg = WriterConfig.defaults(tmp.resolve("spool")).withBatchSize(batch)
                    .withQueueCapacity(100_000).withDurableTimeout(Duration.ofSeconds(10));
            if (Boolean.getBoolean("bench.experiment")) {
                try (var c = store.dataSource().getConnection(); var st = c.createStatement()) {
                    for (String sql : System.getProperty("bench.sql").split(";")) {
                        st.execute(sql);
                    }
                }
            }
            System.out.printf("load average before: %s%n", loadAverage());
            run(store, cfg, 60_000, 0, data);
            System.out.println("--- measured run ---");
            run(store, cfg, records, samples, data);
            System.out.printf("load average after: %s%n", loadAverage());
            long v0 = System.nanoTime();
            var report = store.verify();
            double secs = (System.nanoTime() - v0) / 1e9;
            System.out.printf("verify: %s, %d records in %d chains, %.1fs (%.0f records/s)%n", report.ok() ? "OK" : "BROKEN",
                    report.records(), report.chains(), secs, report.records() / secs);
        }
    }

    private static void run(LineageStore store, WriterConfig cfg, int records, int samples, Path pgData) throws Exception {
        SqlStatement st = new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(), Set.of(new TableRef("public", "customers")),
                Set.of(), false, null);
        SqlAnalysis analysis = new SqlAnalysis(List.of(st), "fp-bench");
        Decision allow = new Decision(Effect.ALLOW, null, List.of("agents-write"), List.of("sql.kind=write"),
                "Agents may write.", null, "sha256:bench", List.of(), Map.of());
        UUID session = LineageIds.next();
        AtomicLong backpressured = new AtomicLong();
        try (LineageWriter w = store.startWriter(cfg)) {
            long[] lat = new long[samples];
            Thread probe = new Thread(() -> {
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    try {
                        w.appendCommitted(DecisionRecorded.of(LineageIds.next(), allow)).toCompletableFuture().get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    lat[i] = System.nanoTime() - t0;
                    LockSupport.parkNanos(1_000_000); // a privileged action every millisecond or so, not back to back
                }
            }, "durable-probe");
            long pg0 = postgresCpuNanos(pgData);
            long jvm0 = jvmCpuNanos();
            Map<String, Long> threads0 = threadCpuNanos();
            long t0 = System.nanoTime();
            if (samples > 0) {
                probe.start();
            }
            CompletableFuture<Void> last = null;
            for (int i = 0; i < records; ) {
                UUID action = LineageIds.next();
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
            long jvm = jvmCpuNanos() - jvm0;
            long pgCpu = postgresCpuNanos(pgData) - pg0;
            Map<String, Long> threads1 = threadCpuNanos();
            if (samples > 0) {
                probe.join();
            }
            WriterStats s = w.stats();
            System.out.printf("records=%d elapsed=%.2fs throughput=%.0f records/s batch=%d queuePeak=%d backpressured=%d "
                            + "spooled=%d%n", records, elapsed / 1e9, records / (elapsed / 1e9), cfg.batchSize(), s.queuePeak(),
                    backpressured.get(), s.spooled());
            if (pgCpu >= 0) {
                double perRecordJvm = jvm / 1e3 / records;
                double perRecordPg = pgCpu / 1e3 / records;
                System.out.printf("cpu per record: jvm=%.1fus (producer + writer) postgres=%.1fus total=%.1fus "
                                + "=> %.0f records per CPU-second%n", perRecordJvm, perRecordPg, perRecordJvm + perRecordPg,
                        1e6 / (perRecordJvm + perRecordPg));
                long inThreads = 0;
                StringBuilder b = new StringBuilder("  jvm threads:");
                for (Map.Entry<String, Long> t : threads1.entrySet()) {
                    long d = t.getValue() - threads0.getOrDefault(t.getKey(), 0L);
                    inThreads += d;
                    if (d * 100 > jvm) {
                        b.append(String.format(" %s=%.1fus", t.getKey(), d / 1e3 / records));
                    }
                }
                b.append(String.format(" other (GC, JIT)=%.1fus", (jvm - inThreads) / 1e3 / records));
                System.out.println(b);
            }
            if (samples > 0) {
                Arrays.sort(lat);
                System.out.printf("durable-first under load: n=%d p50=%.1fms p99=%.1fms max=%.1fms%n", samples,
                        lat[samples / 2] / 1e6, lat[(int) (samples * 0.99)] / 1e6, lat[samples - 1] / 1e6);
            }
        }
    }

    /** CPU time of each live Java thread by name (threads of one name summed). */
    private static Map<String, Long> threadCpuNanos() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null) {
                long cpu = mx.getThreadCpuTime(t.getThreadId());
                if (cpu > 0) {
                    out.merge(t.getThreadName().replaceAll("\\d+$", "#"), cpu, Long::sum);
                }
            }
        }
        return out;
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the postmaster, its live children and its reaped children; -1 where /proc is not there. */
    private static long postgresCpuNanos(Path data) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            long ticks = 0;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    String[] f;
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    } catch (IOException gone) {
                        continue;
                    }
                    long pid = Long.parseLong(name);
                    long ppid = Long.parseLong(f[1]);
                    if (pid == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                    } else if (ppid == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            }
            return ticks * 10_000_000L; // USER_HZ = 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
