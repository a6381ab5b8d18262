package dev.airlock.audit.bench;

import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageIds;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.StoreConfig;
import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Journal;
import dev.airlock.config.Protocol;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Where a batch spends its CPU: one connection appends pre-built batches (the gate's three records per
 * action) with {@link Journal}, and each round reports the CPU time per record of the PostgreSQL backend
 * (from {@code /proc}) and of this thread (encoding, sealing, COPY framing). CPU time, not wall time, so
 * that the figures mean something on a shared machine; the minimum over rounds is the least disturbed.
 *
 * <p>Arguments: {@code [rounds=7] [batchesPerRound=30] [batchSize=2000] [sql to run after migrating, ';'-separated]}.
 */
public final class JournalBench {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        String setup = args.length > 3 ? args[3] : "";
        Path tmp = Files.createTempDirectory("journal-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg"))
                .setServerConfig("max_wal_size", "4GB").start();
             LineageStore store = LineageStore.open(new StoreConfig(
                     "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "", 2, Duration.ofSeconds(2)));
             Connection c = store.dataSource().getConnection()) {
            long backend;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                backend = rs.getLong(1);
                for (String sql : setup.split(";")) {
                    if (!sql.isBlank()) {
                        s.execute(sql);
                    }
                }
            }
            Journal journal = new Journal("bench");
            double[] pgUs = new double[rounds];
            double[] javaUs = new double[rounds];
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                List<List<Envelope>> work = new ArrayList<>();
                for (int b = 0; b < batches; b++) {
                    work.add(batch(batchSize));
                }
                c.setAutoCommit(false);
                long pg0 = cpuTicks(backend);
                long j0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                for (List<Envelope> batch : work) {
                    journal.committed(journal.append(c, batch, false));
                    c.commit();
                }
                long j = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - j0;
                long p = cpuTicks(backend) - pg0;
                if (r >= 0) {
                    long n = (long) batches * batchSize;
                    pgUs[r] = p * 10_000.0 / n;
                    javaUs[r] = j / 1e3 / n;
                    System.out.printf("round %d: postgres %.2f us/record, java %.2f us/record%n", r, pgUs[r], javaUs[r]);
                }
            }
            Arrays.sort(pgUs);
            Arrays.sort(javaUs);
            System.out.printf("postgres backend: min %.2f median %.2f us/record; java (this thread): min %.2f median %.2f "
                    + "us/record; load %s%n", pgUs[0], pgUs[rounds / 2], javaUs[0], javaUs[rounds / 2],
                    Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    private static final SqlAnalysis ANALYSIS = new SqlAnalysis(List.of(new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(),
            Set.of(new TableRef("public", "customers")), Set.of(), false, null)), "fp-bench");
    private static final Decision ALLOW = new Decision(Effect.ALLOW, null, List.of("agents-write"), List.of("sql.kind=write"),
            "Agents may write.", null, "sha256:bench", List.of(), Map.of());
    private static final UUID SESSION = LineageIds.next();

    private static List<Envelope> batch(int n) {
        List<Envelope> out = new ArrayList<>(n);
        while (out.size() < n) {
            UUID action = LineageIds.next();
            out.add(EventCodec.encode(ActionRecorded.of(action, SESSION, new SqlAction("prod", Protocol.POSTGRES,
                    "UPDATE customers SET tier = $1 WHERE id = $2", List.of("gold", Integer.toString(out.size())), ANALYSIS))));
            out.add(EventCodec.encode(DecisionRecorded.of(action, ALLOW)));
            out.add(EventCodec.encode(ResultRecorded.of(action, 1L, Duration.ofMillis(2), null, null)));
        }
        return out.subList(0, n);
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
