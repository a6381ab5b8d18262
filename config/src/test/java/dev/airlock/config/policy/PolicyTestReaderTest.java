package dev.airlock.config.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PolicyTestReaderTest {

    @Test
    void readsCasesWithNamedAndInlineIdentities() {
        PolicyTestSuite s = PolicyTestReader.parse("t.yaml", """
                policy: [p.yaml]
                connections: {orders: {protocol: postgres, labels: {env: prod}}}
                identities: {agent: {subject: agent-7, groups: [agents]}}
                cases:
                  - name: one
                    identity: agent
                    connection: orders
                    sql: "SELECT 1"
                    expect: {effect: allow, rules: []}
                  - name: two
                    identity: {subject: bob, actors: [{subject: agent-7, claims: {groups: [agents]}}]}
                    connection: orders
                    at: 2026-11-22T21:30:00Z
                    sql_statements: [{type: update, kind: write, tables_written: [public.orders], where_absent: true}]
                    expect: {effect: require_approval, profile: dba, dry_run: [x]}
                """, Path.of("dir"));
        assertThat(s.policyFiles()).containsExactly(Path.of("dir", "p.yaml"));
        assertThat(s.cases()).hasSize(2);
        assertThat(s.cases().get(0).at()).isEqualTo(PolicyTestReader.DEFAULT_AT);
        assertThat(s.cases().get(0).expect().rules()).isEmpty();
        PolicyTestSuite.Case two = s.cases().get(1);
        assertThat(two.identity().actors()).extracting(PolicyTestSuite.ActorSpec::subject).containsExactly("agent-7");
        assertThat(((PolicyTestSuite.SqlStatements) two.action()).statements().get(0).type()).isEqualTo("UPDATE");
        assertThat(two.expect().dryRun()).containsExactly("x");
    }

    @Test
    void reportsEveryProblemWithItsLocation() {
        assertThatThrownBy(() -> PolicyTestReader.parse("t.yaml", """
                policy: [p.yaml]
                connections: {orders: {protocol: postgress}}
                cases:
                  - name: a
                    identity: ghost
                    connection: orders
                    ssh: {argv: [ls]}
                    http: {path: /}
                    expect: {effect: maybe}
                """, Path.of(".")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("t.yaml:2:34: connections.orders.protocol: 'postgress' is not one of")
                .hasMessageContaining("t.yaml:5:15: cases[0].identity: 'ghost' is not in identities")
                .hasMessageContaining("t.yaml:4:5: cases[0]: gives 2 actions (expected: exactly one of sql, sql_statements, ssh, http)")
                .hasMessageContaining("t.yaml:9:22: cases[0].expect.effect: 'maybe' is not one of");
    }
}
