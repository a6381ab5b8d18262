package dev.airlock.policy.bench;

import dev.airlock.config.Protocol;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.policy.CompiledPolicy;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Decision;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.PolicyCompiler;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Decisions per second against {@code examples/policy.yaml} (17 rules, 2 profiles) on one thread.
 *
 * <ul>
 *   <li>{@code sqlCachedShape}: an agent's UPDATE on prod whose analysis is already known (the analyser's
 *       fingerprint cache hit), through every rule: require_approval with reasons and a rendered explanation.</li>
 *   <li>{@code sqlTextThroughAnalyzerCache}: the same from SQL text: analyser (cache hit) + decision.</li>
 *   <li>{@code sqlRead}: a read that is allowed (the common case).</li>
 *   <li>{@code httpBody}, {@code sshExec}: an HTTP request with a JSON body comparison, an SSH exec.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class PolicyDecisionBenchmark {

    static final String UPDATE = "UPDATE orders SET status = $1 WHERE id = $2";
    static final String SELECT = "SELECT id, total FROM orders WHERE customer_id = $1";

    CompiledPolicy policy;
    SqlAnalyzer analyzer;
    Identity agent;
    ConnectionRef orders;
    ConnectionRef billing;
    ConnectionRef bastion;
    SqlAction update;
    SqlAction select;
    HttpAction refund;
    SshAction df;
    Instant now;

    @Setup
    public void setUp() throws IOException {
        Path file = locate("examples/policy.yaml");
        policy = PolicyCompiler.compile(PolicyReader.parse(file.toString(), Files.readString(file)));
        analyzer = new SqlAnalyzer(policy.sqlAnalyzerOptions());
        agent = Identity.of("https://idp", "agent-7", Set.of("agents"));
        orders = new ConnectionRef("orders", Protocol.POSTGRES, Map.of("env", "prod", "team", "payments"));
        billing = new ConnectionRef("billing-api", Protocol.HTTP, Map.of("env", "prod"));
        bastion = new ConnectionRef("bastion", Protocol.SSH, Map.of("env", "prod"));
        update = new SqlAction("orders", Protocol.POSTGRES, UPDATE, List.of("shipped", "42"), analyzer.analyze(UPDATE));
        select = new SqlAction("orders", Protocol.POSTGRES, SELECT, List.of("7"), analyzer.analyze(SELECT));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        refund = new HttpAction("billing-api", "POST", "billing", "/v1/refunds", Map.of(), Map.of(), "d",
                json.readTree("{\"amount\": 25, \"currency\": \"EUR\"}"));
        df = new SshAction("bastion", SshAction.ChannelType.EXEC, "df", List.of("df", "-h"), SshAction.Transfer.NONE, List.of());
        now = Instant.parse("2026-11-23T10:00:00Z");
        if (policy.decide(agent, orders, update, now).approvalProfile() == null) {
            throw new IllegalStateException("benchmark policy no longer requires approval for the UPDATE");
        }
    }

    static Path locate(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Benchmark
    public Decision sqlCachedShape() {
        return policy.decide(agent, orders, update, now);
    }

    @Benchmark
    public Decision sqlTextThroughAnalyzerCache() {
        SqlAction a = new SqlAction("orders", Protocol.POSTGRES, UPDATE, List.of("shipped", "42"), analyzer.analyze(UPDATE));
        return policy.decide(agent, orders, a, now);
    }

    @Benchmark
    public Decision sqlRead() {
        return policy.decide(agent, orders, select, now);
    }

    @Benchmark
    public Decision httpBody() {
        return policy.decide(agent, billing, refund, now);
    }

    @Benchmark
    public Decision sshExec() {
        return policy.decide(agent, bastion, df, now);
    }

    /** Runs every benchmark of this package with the given JMH arguments. */
    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(args.length > 0 ? args : new String[] {"dev.airlock.policy.bench"});
    }
}
