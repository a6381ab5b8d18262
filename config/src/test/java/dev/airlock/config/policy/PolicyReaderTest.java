package dev.airlock.config.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyReaderTest {

    private static final String GOOD = """
            settings:
              on_unparsed: deny
            approval_profiles:
              dba:
                approvers: {groups: [dba], users: [alice@example.com]}
                quorum: 2
                timeout: 15m
                remind_after: 5m
                channels: [slack:#db-approvals, web]
            rules:
              - id: no-ddl-on-prod
                match: {connection: {labels: {env: prod}}, sql: {kind: [ddl, dcl]}}
                effect: deny
                explain: "Schema changes on {connection} go through a change request."
              - id: agent-writes
                match: {identity: {groups: [agents]}, sql: {kind: write, tables: [public.orders]}}
                effect: require_approval
                approval: dba
                mode: dry_run
            """;

    @Test
    void readsEverySection() {
        PolicyDocument d = PolicyReader.parse("p.yaml", GOOD);
        assertThat(d.settings().onUnparsed()).isEqualTo("deny");
        ApprovalProfile dba = d.approvalProfiles().get("dba");
        assertThat(dba.quorum()).isEqualTo(2);
        assertThat(dba.timeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(dba.remindAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(dba.grantWindow()).isEqualTo(Duration.ZERO);
        assertThat(dba.channels()).containsExactly("slack:#db-approvals", "web");
        assertThat(d.rules()).extracting(PolicyRule::id).containsExactly("no-ddl-on-prod", "agent-writes");
        PolicyRule r = d.rules().get(1);
        assertThat(r.mode()).isEqualTo(RuleMode.DRY_RUN);
        assertThat(r.effect()).isEqualTo(RuleEffect.REQUIRE_APPROVAL);
        assertThat(r.match().sql().kind()).containsExactly("write");
        assertThat(r.location()).hasToString("p.yaml:15:5");
    }

    @Test
    void reportsEveryProblemWithItsLocation() {
        String bad = """
                approval_profiles:
                  dba:
                    approvers: {groups: [dba]}
                    timeout: soon
                    channels: [web]
                rules:
                  - id: a
                    effect: require_approval
                  - id: a
                    effect: allow
                    match: {sql: {kind: [writes]}, colour: red}
                  - id: Bad Id
                    effect: require_approval
                    approval: nobody
                    explain: "{secret}"
                """;
        assertThatThrownBy(() -> PolicyReader.parse("bad.yaml", bad))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("bad.yaml:4:14: approval_profiles.dba.timeout: got 'soon' (expected: a duration")
                .hasMessageContaining("bad.yaml:7:5: rules[0]: effect require_approval needs 'approval'")
                .hasMessageContaining("bad.yaml:11:26: rules[1].match.sql.kind[0]: 'writes' is not one of:")
                .hasMessageContaining("bad.yaml:11:36: rules[1].match.colour: unknown key")
                .hasMessageContaining("bad.yaml:12:9: rules[2].id: 'Bad Id' (expected: [a-z0-9][a-z0-9._-]*)")
                .hasMessageContaining("bad.yaml:15:14: rules[2].explain: unknown placeholder {secret}");
    }

    @Test
    void reportsDuplicateIdsAndUndefinedProfilesAcrossTheSet() {
        String text = """
                rules:
                  - id: a
                    effect: allow
                  - id: a
                    effect: require_approval
                    approval: dba
                """;
        assertThatThrownBy(() -> PolicyReader.parse("d.yaml", text))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).problems()).extracting(PolicyProblem::toString)
                        .containsExactly(
                                "d.yaml:4:5: rules[1].id: duplicate rule id 'a' (first defined at d.yaml:2:5)",
                                "d.yaml:4:5: rules[1].approval: 'dba' is not a defined approval profile (defined: )"));
    }

    @Test
    void readsPathCapturesAndChecksTheirUse() {
        PolicyDocument d = PolicyReader.parse("c.yaml", """
                rules:
                  - id: own-invoices
                    match: {http: {path: ["/v1/customers/{customer}/invoices/**"], params: {customer: "c-*"}}}
                    effect: allow
                    explain: "{method} on invoices of {path.customer}"
                """);
        assertThat(d.rules().get(0).match().http().params()).containsEntry("customer", "c-*");
        String bad = """
                rules:
                  - id: a
                    match: {http: {path: ["/v1/x{id}", "/v1/{id}/**.json", "/v1/{Id}", "/v1/{id}/{id}"]}}
                    effect: allow
                  - id: b
                    match: {http: {path: ["/v1/customers/{customer}", "/v1/customers/*"], params: {customer: x, tenant: y}}}
                    effect: allow
                    explain: "{path.tenant}"
                  - id: c
                    match: {http: {params: {id: "1"}}}
                    effect: allow
                """;
        assertThatThrownBy(() -> PolicyReader.parse("bad.yaml", bad))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("bad.yaml:3:27: rules[0].match.http.path[0]: '/v1/x{id}': a capture must be a whole segment")
                .hasMessageContaining("rules[0].match.http.path[1]: '/v1/{id}/**.json': with captures, ** must be a whole segment")
                .hasMessageContaining("rules[0].match.http.path[2]: '/v1/{Id}': capture name 'Id'")
                .hasMessageContaining("rules[0].match.http.path[3]: '/v1/{id}/{id}': capture {id} appears twice")
                .hasMessageContaining("rules[1].match.http.params.customer: not captured by path pattern '/v1/customers/*'")
                .hasMessageContaining("rules[1].match.http.params.tenant: not captured by path pattern '/v1/customers/{customer}'")
                .hasMessageContaining("bad.yaml:8:14: rules[1].explain: unknown placeholder {path.tenant} (this rule's http.path captures: customer)")
                .hasMessageContaining("rules[2].match.http.params: needs http.path patterns");
    }

    @Test
    void rejectsDuplicateKeysAndBadYaml() {
        assertThatThrownBy(() -> PolicyReader.parse("k.yaml", "rules: []\nrules: []\n"))
                .hasMessageContaining("k.yaml:2:1: rules: duplicate key (first defined at 1:1)");
        assertThatThrownBy(() -> PolicyReader.parse("y.yaml", "rules: [\n"))
                .hasMessageStartingWith("y.yaml:").hasMessageContaining("invalid YAML");
    }

    @Test
    void canonicalFormIgnoresCommentsWhitespaceAndKeyOrder() {
        PolicyDocument a = PolicyReader.parse("a.yaml", GOOD);
        String edited = "# a comment\n" + GOOD.replace("quorum: 2", "quorum:    2   # two people")
                .replace("    effect: deny\n    explain:", "    explain:")
                .replace("go through a change request.\"\n", "go through a change request.\"\n    effect: deny\n");
        PolicyDocument b = PolicyReader.parse("b.yaml", edited);
        assertThat(b.canonical()).isEqualTo(a.canonical());
        PolicyDocument c = PolicyReader.parse("c.yaml", GOOD.replace("quorum: 2", "quorum: 3"));
        assertThat(c.canonical()).isNotEqualTo(a.canonical());
    }

    @Test
    void crossCheckNamesUndefinedConnectionsAndChannels() {
        PolicyDocument d = PolicyReader.parse("p.yaml", """
                approval_profiles:
                  dba: {approvers: {groups: [dba]}, timeout: 1m, channels: [slack:#dba, teams:nope, web]}
                rules:
                  - id: r1
                    match: {connection: {name: [prod-*, typo-db]}}
                    effect: allow
                """);
        List<PolicyProblem> problems = PolicyCrossCheck.check(List.of(d), java.util.Set.of("prod-pg", "staging-pg"),
                java.util.Set.of("slack:#dba"));
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "p.yaml:2:3: approval_profiles.dba.channels: 'teams:nope' is not a channel defined in airlock.yaml (defined: cli, slack:#dba, web)",
                "p.yaml:4:5: rules[0].match.connection.name: 'typo-db' matches no connection in airlock.yaml (defined: prod-pg, staging-pg)");
    }
}
