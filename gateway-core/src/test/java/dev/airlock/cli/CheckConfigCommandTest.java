package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {

    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private List<String> errLines() {
        return Arrays.asList(err.toString().split("\\R"));
    }

    @Test
    void exampleIsValid() {
        assertThat(run("check-config", "--config", "../examples/airlock.yaml")).isZero();
        assertThat(out.toString()).isEqualTo("../examples/airlock.yaml: OK (3 listeners, 4 connections, 1 identity provider,"
                + " 4 approval channels (cli, slack:#db-approvals, teams:dba, web), lineage embedded, 1 policy file)"
                + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void dockerComposeConfigurationIsValid() {
        assertThat(run("check-config", "--config", "../docker/airlock.yaml")).isZero();
        assertThat(out.toString()).startsWith("../docker/airlock.yaml: OK (1 listener, 1 connection, 1 identity provider,");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void dockerfileCopiesEveryModulePom() throws IOException {
        String pom = Files.readString(Path.of("../pom.xml"));
        String dockerfile = Files.readString(Path.of("../docker/Dockerfile"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        int modules = 0;
        while (m.find()) {
            modules++;
            assertThat(dockerfile).as("docker/Dockerfile copies %s/pom.xml before the dependency download", m.group(1))
                    .contains("COPY " + m.group(1) + "/pom.xml " + m.group(1) + "/");
        }
        assertThat(modules).isEqualTo(7);
    }

    @Test
    void brokenExampleExits2AndPrintsEveryProblemWithFileLineColumn() {
        assertThat(run("check-config", "-c", "../examples/broken/airlock.yaml")).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        List<String> lines = errLines();
        assertThat(lines).hasSize(19);
        assertThat(lines.subList(0, 18)).allSatisfy(l -> assertThat(l).matches("\\.\\./examples/broken/airlock\\.yaml:\\d+:\\d+: .+"));
        assertThat(lines).contains(
                "../examples/broken/airlock.yaml:5:15: listeners[0].protocol: 'postgress' is not one of postgres, mysql, ssh, http",
                "../examples/broken/airlock.yaml:17:5: connections[0].databse: unknown key (did you mean 'database'?)",
                "../examples/broken/airlock.yaml:30:7: approvals.channels.slack: missing required key 'channels'",
                "../examples/broken/airlock.yaml: 18 problems");
    }

    @Test
    void defaultsToAirlockYamlInTheWorkingDirectory() {
        assertThat(run("check-config")).isEqualTo(2);
        assertThat(err.toString()).startsWith("airlock.yaml:1:1: file not found");
    }

    @Test
    void reportsPolicyFilesThatAreNotYaml(@TempDir Path dir) throws IOException {
        Files.copy(Path.of("../examples/airlock.yaml"), dir.resolve("airlock.yaml"));
        copyTree(Path.of("../examples/secrets"), dir.resolve("secrets"));
        Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - id: [unclosed\n");
        assertThat(run("check-config", "--config", dir.resolve("airlock.yaml").toString())).isEqualTo(2);
        assertThat(errLines().get(0)).matches(".*policy\\.yaml:\\d+:\\d+: invalid YAML: .*");
        Files.writeString(dir.resolve("policy.yaml"), "- just a list\n");
        err.getBuffer().setLength(0);
        assertThat(run("check-config", "--config", dir.resolve("airlock.yaml").toString())).isEqualTo(2);
        assertThat(errLines().get(0)).endsWith("policy.yaml:1:1: expected a mapping with approval_profiles and rules, got a list");
    }

    @Test
    void reportsEveryPolicyProblemIncludingNamesAirlockYamlDoesNotDefine(@TempDir Path dir) throws IOException {
        Files.copy(Path.of("../examples/airlock.yaml"), dir.resolve("airlock.yaml"));
        copyTree(Path.of("../examples/secrets"), dir.resolve("secrets"));
        Files.writeString(dir.resolve("policy.yaml"), """
                approval_profiles:
                  dba: {approvers: {groups: [dba]}, timeout: 15m, channels: [slack:#nowhere, web]}
                rules:
                  - {id: typo, match: {connection: {name: [ordrs]}}, effect: allow}
                  - {id: ok, match: {connection: {name: [orders*]}}, effect: require_approval, approval: dba}
                """);
        assertThat(run("check-config", "--config", dir.resolve("airlock.yaml").toString())).isEqualTo(2);
        assertThat(errLines()).hasSize(3);
        assertThat(errLines().get(0)).endsWith("policy.yaml:2:3: approval_profiles.dba.channels: 'slack:#nowhere' is not a"
                + " channel defined in airlock.yaml (defined: cli, slack:#db-approvals, teams:dba, web)");
        assertThat(errLines().get(1)).endsWith("policy.yaml:4:5: rules[0].match.connection.name: 'ordrs' matches no"
                + " connection in airlock.yaml (defined: bastion, billing-api, orders, orders-staging)");

        Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - {id: a, effect: require_approval}\n");
        err.getBuffer().setLength(0);
        assertThat(run("check-config", "--config", dir.resolve("airlock.yaml").toString())).isEqualTo(2);
        assertThat(errLines().get(0)).endsWith("policy.yaml:2:5: rules[0]: effect require_approval needs 'approval' (an approval profile name)");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
