package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code airlock policy ...} through the real command line, so the example policy tests run in CI. */
class PolicyCommandTest {

    private static final Path EXAMPLES = Path.of("..", "examples");

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = AirlockCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void examplePolicyPassesItsTests() {
        Run r = run("policy", "test", EXAMPLES.resolve("policy-tests.yaml").toString());
        assertThat(r.out()).doesNotContain("FAIL").containsPattern("\\d+ cases, \\d+ passed, 0 failed \\(policy [0-9a-f]{12}\\)");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
    }

    @Test
    void failingCaseIsReadableAndExitsOne(@TempDir Path dir) throws IOException {
        Files.copy(EXAMPLES.resolve("policy.yaml"), dir.resolve("policy.yaml"));
        Files.writeString(dir.resolve("cases.yaml"), """
                policy: [policy.yaml]
                connections: {orders: {protocol: postgres, labels: {env: prod}}}
                cases:
                  - name: agents may drop tables (wrong on purpose)
                    identity: {subject: agent-7, groups: [agents]}
                    connection: orders
                    sql_statements: [{type: DROP TABLE, kind: ddl, tables_written: [public.orders]}]
                    expect: {effect: allow, rules: [agents-read]}
                """);
        Run r = run("policy", "test", dir.resolve("cases.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out())
                .contains("FAIL agents may drop tables (wrong on purpose)  (" + dir.resolve("cases.yaml") + ":4:5)")
                .contains("effect: expected allow, got deny")
                .contains("rules: expected [agents-read], got [no-ddl-on-prod]")
                .contains("explanation: Schema, privilege and server-code changes on orders go through a change request.")
                .contains("1 cases, 0 passed, 1 failed");
    }

    @Test
    void brokenPolicyListsEveryProblemAndExitsTwo() {
        Run r = run("policy", "test", EXAMPLES.resolve("broken/policy-tests.yaml").toString());
        assertThat(r.exit()).isEqualTo(AirlockCommand.EXIT_INVALID);
        String file = EXAMPLES.resolve("broken/policy.yaml").toString();
        assertThat(r.err().lines()).hasSize(11).allSatisfy(l -> assertThat(l).startsWith(file + ":"));
        assertThat(r.err())
                .contains(file + ":13:31: rules[0].match.sql.kind[1]: 'schema' is not one of")
                .contains(file + ":15:5: rules[1].id: duplicate rule id 'no-ddl'")
                .contains(file + ":17:5: rules[2]: effect require_approval needs 'approval'");
    }

    @Test
    void explainsOneActionGivenOnTheCommandLine() {
        Run r = run("policy", "explain", "-p", EXAMPLES.resolve("policy.yaml").toString(), "--connection", "orders",
                "--protocol", "postgres", "--label", "env=prod", "--subject", "agent-7", "--group", "agents",
                "--statement", "UPDATE:write:public.orders");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("effect:      require_approval (profile dba)")
                .contains("rules:       agent-writes-need-a-dba")
                .contains("why:         identity.groups=agents, connection.labels.env=prod")
                .contains("explanation: agent-7 wants to UPDATE public.orders on orders; a DBA approves writes by agents.");
    }

    @Test
    void explainsACaseOfATestFile() {
        Run r = run("policy", "explain", "--cases", EXAMPLES.resolve("policy-tests.yaml").toString(),
                "--case", "rm -rf is denied");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("rules:       no-destructive-shell").contains("ssh.argv=rm -rf /var/lib/postgresql");
    }

    @Test
    void explainWithoutAnActionIsInvalidInput() {
        Run r = run("policy", "explain", "-p", EXAMPLES.resolve("policy.yaml").toString(), "--connection", "orders",
                "--protocol", "postgres", "--subject", "agent-7");
        assertThat(r.exit()).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(r.err()).contains("give exactly one of --sql, --statement, --ssh, --http");
    }
}
