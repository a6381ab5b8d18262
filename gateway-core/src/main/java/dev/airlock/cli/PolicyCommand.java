package dev.airlock.cli;

import dev.airlock.config.Protocol;
import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.config.policy.PolicyTestReader;
import dev.airlock.config.policy.PolicyTestSuite;
import dev.airlock.policy.Action;
import dev.airlock.policy.CompiledPolicy;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Decision;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.PolicyCompiler;
import dev.airlock.policy.PolicyTestRunner;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlAnalyzer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code airlock policy test|explain}: run policy decision tests, or show one decision and why. */
@Command(name = "policy", description = "Test policy files and explain decisions.",
        subcommands = {PolicyCommand.Test.class, PolicyCommand.Explain.class})
final class PolicyCommand implements Callable<Integer> {

    /** Exit status when a policy test case fails. */
    static final int EXIT_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The SQL analyser configured by the policy's settings (on_unparsed, unknown_functions). */
    static Function<String, SqlAnalysis> sqlAnalyzer(CompiledPolicy policy) {
        return new SqlAnalyzer(policy.sqlAnalyzerOptions())::analyze;
    }

    static CompiledPolicy load(List<Path> files) {
        return PolicyCompiler.compile(PolicyReader.readAll(files));
    }

    static void printDecision(PrintWriter out, Decision d, String indent) {
        out.println(indent + "effect:      " + d.effect().yamlName()
                + (d.approvalProfile() == null ? "" : " (profile " + d.approvalProfile() + ")"));
        out.println(indent + "rules:       " + (d.matchedRules().isEmpty() ? "(none: default deny)" : String.join(", ", d.matchedRules())));
        out.println(indent + "why:         " + String.join(", ", d.reasons()));
        out.println(indent + "explanation: " + d.explanation());
        if (d.hint() != null) {
            out.println(indent + "hint:        " + d.hint());
        }
        for (Decision.DryRunOutcome o : d.dryRun()) {
            out.println(indent + "dry run:     " + o.ruleId() + " would " + o.effect().yamlName()
                    + (o.approvalProfile() == null ? "" : " (profile " + o.approvalProfile() + ")"));
        }
    }

    @Command(name = "test", description = "Run the decision tests in a cases file; exit status 1 when one fails.")
    static final class Test implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "CASES.yaml", description = "The test cases (schema: docs/policy.md).")
        Path cases;

        @Option(names = {"-v", "--verbose"}, description = "Show the decision of passing cases too.")
        boolean verbose;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            PolicyTestSuite suite;
            CompiledPolicy policy;
            try {
                suite = PolicyTestReader.read(cases);
                policy = load(suite.policyFiles());
            } catch (PolicyException e) {
                err.println(e.getMessage());
                return AirlockCommand.EXIT_INVALID;
            }
            List<PolicyTestRunner.CaseResult> results = new PolicyTestRunner(policy, sqlAnalyzer(policy)).run(suite);
            int failed = 0;
            for (PolicyTestRunner.CaseResult r : results) {
                if (r.passed()) {
                    out.println("PASS " + r.name());
                    if (verbose) {
                        printDecision(out, r.decision(), "     ");
                    }
                    continue;
                }
                failed++;
                out.println("FAIL " + r.name() + "  (" + r.location() + ")");
                for (String f : r.failures()) {
                    out.println("     " + f);
                }
                if (r.decision() != null) {
                    printDecision(out, r.decision(), "     ");
                }
            }
            out.println(results.size() + " cases, " + (results.size() - failed) + " passed, " + failed + " failed"
                    + " (policy " + policy.shortVersion() + ")");
            out.flush();
            return failed == 0 ? 0 : EXIT_FAILED;
        }
    }

    @Command(name = "explain", description = {
        "Show the decision for one action and why.",
        "Either name a case of a cases file (--cases, --case), or describe the action with options:",
        "  airlock policy explain -p policy.yaml --connection orders --protocol postgres --label env=prod \\",
        "      --subject agent-7 --group agents --statement 'UPDATE:write:public.orders'",
        "  airlock policy explain -p policy.yaml --connection bastion --protocol ssh --subject agent-7 --ssh 'rm -rf /tmp/x'",
        "  airlock policy explain -p policy.yaml --connection billing-api --protocol http --subject agent-7 --http 'POST /v1/refunds'"})
    static final class Explain implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--cases", paramLabel = "CASES.yaml", description = "A policy test file; with --case, explain that case.")
        Path cases;

        @Option(names = "--case", paramLabel = "NAME", description = "The case to explain (default: every case).")
        String caseName;

        @Option(names = {"-p", "--policy"}, paramLabel = "FILE", description = "Policy file (repeatable).")
        List<Path> policies = new ArrayList<>();

        @Option(names = "--connection", paramLabel = "NAME") String connection;
        @Option(names = "--protocol", paramLabel = "postgres|mysql|ssh|http") String protocol;
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Connection label (repeatable).")
        Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--subject", paramLabel = "SUB", description = "Token subject (the principal).") String subject;
        @Option(names = "--email") String email;
        @Option(names = "--group", paramLabel = "GROUP", description = "Group of the subject (repeatable).")
        List<String> groups = new ArrayList<>();
        @Option(names = "--actor", paramLabel = "SUB", description = "Delegated actor (RFC 8693 act), current first (repeatable).")
        List<String> actors = new ArrayList<>();
        @Option(names = "--at", paramLabel = "INSTANT", description = "Decision time (default: now).") Instant at;
        @Option(names = "--sql", paramLabel = "TEXT", description = "SQL text (needs the SQL analyser).") String sql;
        @Option(names = "--statement", paramLabel = "TYPE:KIND[:TABLES_WRITTEN[:TABLES_READ]]",
                description = "A hand-written analysed statement, tables comma-separated (repeatable).")
        List<String> statements = new ArrayList<>();
        @Option(names = "--ssh", paramLabel = "COMMAND LINE", description = "An SSH exec command, split on spaces.") String ssh;
        @Option(names = "--http", paramLabel = "METHOD PATH", description = "An HTTP request line, e.g. 'GET /v1/users'.") String http;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                if (cases != null) {
                    return explainCases(out, err);
                }
                return explainOne(out, err);
            } catch (PolicyException e) {
                err.println(e.getMessage());
                return AirlockCommand.EXIT_INVALID;
            } catch (IllegalArgumentException | IllegalStateException e) {
                err.println("airlock policy explain: " + e.getMessage());
                return AirlockCommand.EXIT_INVALID;
            }
        }

        private int explainCases(PrintWriter out, PrintWriter err) {
            PolicyTestSuite suite = PolicyTestReader.read(cases);
            CompiledPolicy policy = load(policies.isEmpty() ? suite.policyFiles() : policies);
            PolicyTestRunner runner = new PolicyTestRunner(policy, sqlAnalyzer(policy));
            boolean found = false;
            for (PolicyTestSuite.Case c : suite.cases()) {
                if (caseName != null && !caseName.equals(c.name())) {
                    continue;
                }
                found = true;
                PolicyTestRunner.CaseResult r = runner.run(c);
                out.println(c.name() + "  (" + c.location() + ")");
                if (r.decision() != null) {
                    printDecision(out, r.decision(), "  ");
                } else {
                    out.println("  " + String.join("; ", r.failures()));
                }
            }
            if (!found) {
                err.println("airlock policy explain: no case named '" + caseName + "' in " + cases);
                return AirlockCommand.EXIT_INVALID;
            }
            out.println("policy " + policy.shortVersion());
            return 0;
        }

        private int explainOne(PrintWriter out, PrintWriter err) {
            if (policies.isEmpty() || connection == null || protocol == null || subject == null) {
                err.println("airlock policy explain: give --cases, or --policy, --connection, --protocol and --subject");
                return AirlockCommand.EXIT_INVALID;
            }
            CompiledPolicy policy = load(policies);
            Protocol p = Protocol.valueOf(protocol.toUpperCase(Locale.ROOT));
            PolicyTestSuite.ConnectionSpec conn = new PolicyTestSuite.ConnectionSpec(connection, p.yamlName(), labels);
            List<PolicyTestSuite.ActorSpec> chain = actors.stream().map(a -> new PolicyTestSuite.ActorSpec(a, Map.of())).toList();
            Identity identity = PolicyTestRunner.identity(new PolicyTestSuite.IdentitySpec("cli", subject, email, groups,
                    Map.of(), chain));
            Action action = action(conn, policy);
            Decision d = policy.decide(identity, PolicyTestRunner.connection(conn), action, at == null ? Instant.now() : at);
            out.println(action.summary().isEmpty() ? p.yamlName() + " action" : action.summary());
            printDecision(out, d, "  ");
            out.println("policy " + policy.shortVersion());
            return 0;
        }

        private Action action(PolicyTestSuite.ConnectionSpec conn, CompiledPolicy policy) {
            int given = (sql != null ? 1 : 0) + (statements.isEmpty() ? 0 : 1) + (ssh != null ? 1 : 0) + (http != null ? 1 : 0);
            if (given != 1) {
                throw new IllegalArgumentException("give exactly one of --sql, --statement, --ssh, --http");
            }
            if (sql != null) {
                return PolicyTestRunner.action(conn, new PolicyTestSuite.SqlText(sql), sqlAnalyzer(policy));
            }
            if (!statements.isEmpty()) {
                List<PolicyTestSuite.StatementSpec> specs = new ArrayList<>();
                for (String s : statements) {
                    String[] parts = s.split(":", -1);
                    if (parts.length < 2 || !dev.airlock.config.policy.PolicySettings.SQL_KINDS.contains(parts[1])) {
                        throw new IllegalArgumentException("--statement " + s + " (expected: TYPE:KIND[:WRITTEN[:READ]], KIND one of "
                                + new java.util.TreeSet<>(dev.airlock.config.policy.PolicySettings.SQL_KINDS) + ")");
                    }
                    specs.add(new PolicyTestSuite.StatementSpec(parts[0].toUpperCase(Locale.ROOT), parts[1],
                            csv(parts, 3), csv(parts, 2), List.of(), false, null));
                }
                return PolicyTestRunner.action(conn, new PolicyTestSuite.SqlStatements(specs), null);
            }
            if (ssh != null) {
                List<String> argv = List.of(ssh.trim().split("\\s+"));
                return new SshAction(conn.name(), SshAction.ChannelType.EXEC, argv.get(0), argv, SshAction.Transfer.NONE, List.of());
            }
            String[] line = http.trim().split("\\s+", 2);
            if (line.length != 2) {
                throw new IllegalArgumentException("--http " + http + " (expected: METHOD PATH)");
            }
            return new HttpAction(conn.name(), line[0].toUpperCase(Locale.ROOT), conn.name(), line[1], Map.of(), Map.of(), null, null);
        }

        private static List<String> csv(String[] parts, int i) {
            return parts.length <= i || parts[i].isEmpty() ? List.of() : List.of(parts[i].split(","));
        }
    }

}
