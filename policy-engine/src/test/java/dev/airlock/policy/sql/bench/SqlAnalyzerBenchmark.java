package dev.airlock.policy.sql.bench;

import dev.airlock.policy.sql.PostgresRegressCorpus;
import dev.airlock.policy.sql.PsqlScript;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlAnalyzer;
import dev.airlock.policy.sql.SqlAnalyzerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Per-statement latency of {@link SqlAnalyzer#analyze(String)}, uncached (cache off, every call lexes, splits,
 * analyses and fingerprints) and cached (every shape already in the cache), over one of two corpora
 * ({@code -p corpus=…}):
 * <ul>
 *   <li>{@code regress}: the statements of PostgreSQL's regression suite as psql sends them (about 50,000,
 *       {@link PostgresRegressCorpus}: fetched from Debian's archive once and cached under
 *       {@code ~/.cache/airlock/postgres-regress}, shared with {@code SqlDifferentialIT});</li>
 *   <li>{@code tricky}: {@code src/test/resources/sql/tricky.sql} plus typical application statements.</li>
 * </ul>
 * Each call takes the next statement in order, so the samples follow the corpus's own mix. Sample-time mode:
 * JMH reports p50/p99 per call. Run: see BENCHMARKS.md, section "SQL analysis".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SqlAnalyzerBenchmark {

    private static final List<String> TYPICAL = List.of(
            "SELECT id, name, email FROM customers WHERE id = $1",
            "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
                    + "WHERE o.created_at > now() - interval '7 days' ORDER BY o.created_at DESC LIMIT 50",
            "INSERT INTO events (kind, payload, created_at) VALUES ($1, $2, now()) RETURNING id",
            "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1",
            "DELETE FROM sessions WHERE expires_at < now()",
            "WITH recent AS (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) "
                    + "SELECT c.*, r.s FROM customers c LEFT JOIN recent r ON r.customer_id = c.id",
            "BEGIN", "COMMIT", "SET search_path = app, public");

    @Param({"regress", "tricky"})
    public String corpus;

    private List<String> statements;
    private SqlAnalyzer uncached;
    private SqlAnalyzer cached;
    private int next;

    @Setup
    public void setUp() throws IOException {
        statements = switch (corpus) {
            case "regress" -> regressionStatements();
            case "tricky" -> trickyStatements();
            default -> throw new IllegalArgumentException("corpus: " + corpus + " (expected: regress or tricky)");
        };
        uncached = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withCacheSize(0));
        // room for every shape of the corpus; statements over the default 4 Ki characters are not cached, as
        // in production, and are analysed on every call
        cached = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withCacheSize(statements.size() + 1));
        statements.forEach(cached::analyze);
        System.out.println("corpus " + corpus + ": " + statements.size() + " statements");
    }

    /** Every query buffer of the regression scripts, except those psql would rewrite (variables). */
    static List<String> regressionStatements() {
        PostgresRegressCorpus.Result r = PostgresRegressCorpus.load();
        if (r.skipped() != null) {
            throw new IllegalStateException("regression corpus not available: " + r.skipped()
                    + " (run with -p corpus=tricky, or see -Dairlock.pgRegress.source)");
        }
        List<String> out = new ArrayList<>();
        r.files().values().forEach(script -> PsqlScript.split(script).stream().filter(b -> b.skip() == null)
                .forEach(b -> out.add(b.sql())));
        return out;
    }

    static List<String> trickyStatements() throws IOException {
        List<String> out = new ArrayList<>(TYPICAL);
        try (InputStream in = SqlAnalyzerBenchmark.class.getResourceAsStream("/sql/tricky.sql")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String part : all.split("\n-- ----[^\n]*\n")) {
                if (!part.isBlank()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    private String nextStatement() {
        String s = statements.get(next);
        next = next + 1 == statements.size() ? 0 : next + 1;
        return s;
    }

    @Benchmark
    public SqlAnalysis uncached() {
        return uncached.analyze(nextStatement());
    }

    @Benchmark
    public SqlAnalysis cached() {
        return cached.analyze(nextStatement());
    }

    /** Runs both corpora; JMH's own main ({@code org.openjdk.jmh.Main}) takes options such as {@code -p corpus=regress}. */
    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(SqlAnalyzerBenchmark.class.getSimpleName()).build()).run();
    }
}
