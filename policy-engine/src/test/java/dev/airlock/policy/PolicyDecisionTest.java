package dev.airlock.policy;

import static dev.airlock.policy.Fixtures.AGENT;
import static dev.airlock.policy.Fixtures.DBA;
import static dev.airlock.policy.Fixtures.MONDAY_NOON;
import static dev.airlock.policy.Fixtures.PROD_PG;
import static dev.airlock.policy.Fixtures.STAGING_PG;
import static dev.airlock.policy.Fixtures.policy;
import static dev.airlock.policy.Fixtures.select;
import static dev.airlock.policy.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.config.policy.PolicyException;
import dev.airlock.policy.sql.SqlKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDecisionTest {

    static final String PROFILES = """
            approval_profiles:
              dba: {approvers: {groups: [dba]}, timeout: 15m, channels: [web]}
              lead: {approvers: {groups: [leads]}, timeout: 15m, channels: [web]}
            """;

    @Test
    void deniesByDefaultWhenNoRuleMatches() {
        Decision d = policy("rules: []").decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON);
        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.matchedRules()).isEmpty();
        assertThat(d.decidingRule()).isEqualTo("default");
        assertThat(d.explanation()).isEqualTo("No rule allows this action (default deny).");
    }

    @Test
    void denyBeatsApprovalBeatsAllowWhateverTheFileOrder() {
        CompiledPolicy p = policy(PROFILES + """
                rules:
                  - {id: allow-all, effect: allow}
                  - {id: approve-writes, match: {sql: {kind: [write]}}, effect: require_approval, approval: dba}
                  - {id: approve-writes-2, match: {sql: {kind: [write]}}, effect: require_approval, approval: lead}
                  - {id: deny-unbounded, match: {sql: {where: absent}}, effect: deny}
                """);
        assertThat(p.decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON).effect()).isEqualTo(Effect.ALLOW);
        Decision write = p.decide(AGENT, PROD_PG, update("orders", false), MONDAY_NOON);
        assertThat(write.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(write.approvalProfile()).isEqualTo("dba");
        assertThat(write.matchedRules()).containsExactly("approve-writes", "approve-writes-2", "allow-all");
        Decision unbounded = p.decide(AGENT, PROD_PG, update("orders", true), MONDAY_NOON);
        assertThat(unbounded.effect()).isEqualTo(Effect.DENY);
        assertThat(unbounded.matchedRules()).containsExactly("deny-unbounded", "approve-writes", "approve-writes-2", "allow-all");
        assertThat(unbounded.reasons()).containsExactly("sql.where=absent");
    }

    @Test
    void dryRunRulesAreReportedButNotEnforced() {
        CompiledPolicy p = policy(PROFILES + """
                rules:
                  - {id: allow-reads, match: {sql: {kind: read}}, effect: allow}
                  - {id: would-deny-orders, match: {sql: {tables: [orders]}}, effect: deny, mode: dry_run}
                  - {id: would-approve, match: {sql: {tables: [orders]}}, effect: require_approval, approval: dba, mode: dry_run}
                """);
        Decision d = p.decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON);
        assertThat(d.effect()).isEqualTo(Effect.ALLOW);
        assertThat(d.matchedRules()).containsExactly("allow-reads");
        assertThat(d.dryRun()).containsExactly(new Decision.DryRunOutcome("would-deny-orders", Effect.DENY, null),
                new Decision.DryRunOutcome("would-approve", Effect.REQUIRE_APPROVAL, "dba"));
        assertThat(p.decide(AGENT, PROD_PG, select("customers"), MONDAY_NOON).dryRun()).isEmpty();
    }

    @Test
    void rulesForOtherProtocolsNeverMatch() {
        CompiledPolicy p = policy("""
                rules:
                  - {id: ssh-any, match: {ssh: {channel: [exec]}}, effect: allow}
                  - {id: not-ssh, match: {not: {ssh: {channel: [exec]}}}, effect: deny}
                """);
        Decision d = p.decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON);
        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.matchedRules()).containsExactly("not-ssh");
    }

    @Test
    void explanationsAreTemplatesFilledFromTheActionAndSafe() {
        CompiledPolicy p = policy(PROFILES + """
                rules:
                  - id: writes-need-dba
                    match: {sql: {kind: [write]}}
                    effect: require_approval
                    approval: dba
                    explain: "{rule}: {kind} on {tables} via {connection} ({protocol}) by {subject} needs {profile}."
                    hint: "Ask #dba; statement {statement}"
                  - {id: reads, match: {sql: {kind: read}}, effect: allow}
                """);
        Decision d = p.decide(AGENT, PROD_PG, update("sales.orders", false), MONDAY_NOON);
        assertThat(d.explanation()).isEqualTo(
                "writes-need-dba: write on sales.orders via prod-pg (postgres) by agent-7 needs dba.");
        assertThat(d.hint()).isEqualTo("Ask #dba; statement UPDATE");
        assertThat(p.decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON).explanation()).isEqualTo("Allowed by rule reads.");

        String hostile = "evil\u001b[31m\nname" + "x".repeat(200);
        Decision h = p.decide(AGENT, PROD_PG, update(hostile, false), MONDAY_NOON);
        String tables = h.explanation().substring(h.explanation().indexOf(" on ") + 4, h.explanation().indexOf(" via "));
        assertThat(tables).startsWith("public.evil[31mname").hasSize(100).endsWith("…").doesNotContain("\n", "\u001b");
    }

    @Test
    void versionIsStableAcrossFormattingAndChangesWithContent() {
        String a = PROFILES + "rules:\n  - {id: r, match: {sql: {kind: [read]}}, effect: allow}\n";
        String b = "# reformatted\n" + PROFILES + """
                rules:
                  - id: r          # same rule
                    effect: allow
                    match:
                      sql:
                        kind:
                          - read
                """;
        String c = a.replace("read", "write");
        assertThat(policy(a).version()).isEqualTo(policy(b).version()).hasSize(64);
        assertThat(policy(a).shortVersion()).hasSize(12);
        assertThat(policy(c).version()).isNotEqualTo(policy(a).version());
        Decision d = policy(a).decide(AGENT, PROD_PG, select("t"), MONDAY_NOON);
        assertThat(d.policyVersion()).isEqualTo(policy(a).version());
    }

    @Test
    void versionOfSeveralFilesDoesNotDependOnTheirOrder() {
        var one = dev.airlock.config.policy.PolicyReader.parse("one.yaml", "rules: [{id: a, effect: allow}]");
        var two = dev.airlock.config.policy.PolicyReader.parse("two.yaml", "rules: [{id: b, effect: deny}]");
        assertThat(PolicyCompiler.compile(List.of(one, two)).version())
                .isEqualTo(PolicyCompiler.compile(List.of(two, one)).version());
    }

    @Test
    void rejectsDuplicateIdsAcrossFiles() {
        var one = dev.airlock.config.policy.PolicyReader.parse("one.yaml", "rules: [{id: a, effect: allow}]");
        var two = dev.airlock.config.policy.PolicyReader.parse("two.yaml", "rules:\n  - {id: a, effect: deny}\n");
        assertThatThrownBy(() -> PolicyCompiler.compile(List.of(one, two)))
                .isInstanceOf(PolicyException.class)
                .hasMessage("two.yaml:2:5: rules[0].id: duplicate rule id 'a' (first defined at one.yaml:1:9)");
    }

    @Test
    void onUnparsedDefaultTreatsTheStatementAsMostPrivileged() {
        CompiledPolicy p = policy("""
                rules:
                  - {id: reads, match: {sql: {kind: [read]}}, effect: allow}
                  - {id: admin, match: {sql: {kind: [admin]}}, effect: deny, explain: "kind {kind}"}
                """);
        SqlAction unparsed = Fixtures.sql(new dev.airlock.policy.sql.SqlStatement("SELECT", SqlKind.READ,
                Fixtures.tables("orders"), java.util.Set.of(), java.util.Set.of(), false, "unknown syntax"));
        Decision d = p.decide(AGENT, PROD_PG, unparsed, MONDAY_NOON);
        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.matchedRules()).containsExactly("admin");
        assertThat(d.explanation()).isEqualTo("kind admin");
    }

    @Test
    void onUnparsedCanDenyOrNameAKindButNeverLowersTheAnalysedKind() {
        SqlAction unparsedRead = Fixtures.sql(new dev.airlock.policy.sql.SqlStatement("SELECT", SqlKind.READ,
                Fixtures.tables("orders"), java.util.Set.of(), java.util.Set.of(), false, "?"));
        SqlAction unparsedDdl = Fixtures.sql(new dev.airlock.policy.sql.SqlStatement("CREATE TABLE", SqlKind.DDL,
                java.util.Set.of(), Fixtures.tables("x"), java.util.Set.of(), false, "?"));
        String rules = "rules:\n  - {id: reads, match: {sql: {kind: [read]}}, effect: allow}\n"
                + "  - {id: writes, match: {sql: {kind: [write]}}, effect: allow}\n";
        Decision denied = policy("settings: {on_unparsed: deny}\n" + rules).decide(AGENT, PROD_PG, unparsedRead, MONDAY_NOON);
        assertThat(denied.effect()).isEqualTo(Effect.DENY);
        assertThat(denied.matchedRules()).containsExactly(CompiledPolicy.ON_UNPARSED_RULE);
        CompiledPolicy asWrite = policy("settings: {on_unparsed: write}\n" + rules);
        assertThat(asWrite.decide(AGENT, PROD_PG, unparsedRead, MONDAY_NOON).matchedRules()).containsExactly("writes");
        assertThat(asWrite.decide(AGENT, PROD_PG, unparsedDdl, MONDAY_NOON).effect()).isEqualTo(Effect.DENY);
        assertThat(asWrite.decide(AGENT, PROD_PG, select("orders"), MONDAY_NOON).matchedRules()).containsExactly("reads");
    }

    @Test
    void unknownTablesOfAnUnparsedStatementMatchDenyRulesButNotAllowRules() {
        CompiledPolicy p = policy("""
                settings: {on_unparsed: read}
                rules:
                  - {id: no-secrets, match: {sql: {tables: [secrets]}}, effect: deny}
                  - {id: orders-ok, match: {sql: {tables: [orders]}}, effect: allow}
                """);
        SqlAction partial = Fixtures.sql(new dev.airlock.policy.sql.SqlStatement("SELECT", SqlKind.READ,
                java.util.Set.of(), java.util.Set.of(), java.util.Set.of(), false, "could not read FROM clause"));
        Decision d = p.decide(AGENT, PROD_PG, partial, MONDAY_NOON);
        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.matchedRules()).containsExactly("no-secrets");
    }

    @Test
    void rejectsAnActionWhoseProtocolDisagreesWithTheConnection() {
        assertThatThrownBy(() -> policy("rules: []").decide(AGENT, Fixtures.BASTION, select("t"), MONDAY_NOON))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: ssh");
    }

    @Test
    void stagingAndProdDifferByLabel() {
        CompiledPolicy p = policy("""
                rules:
                  - {id: prod-reads, match: {connection: {labels: {env: prod}}, sql: {kind: read}}, effect: allow}
                """);
        assertThat(p.decide(DBA, PROD_PG, select("t"), MONDAY_NOON).effect()).isEqualTo(Effect.ALLOW);
        assertThat(p.decide(DBA, STAGING_PG, select("t"), MONDAY_NOON).effect()).isEqualTo(Effect.DENY);
    }
}
