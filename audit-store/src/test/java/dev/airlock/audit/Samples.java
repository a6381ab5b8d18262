package dev.airlock.audit;

import dev.airlock.config.Protocol;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Realistic events for tests. */
final class Samples {

    static final String POLICY = "sha256:policy-v1";

    private Samples() {}

    static Identity agentForAlice() {
        return new Identity("https://idp.example", "alice", "alice@example.com", Set.of("agents", "eng"),
                Map.of("sub", "alice", "scope", "db"),
                List.of(new Identity.Actor("agent-7", "https://idp.example", Map.of("client_id", "agent-7"))));
    }

    static Identity bob() {
        return Identity.of("https://idp.example", "bob", Set.of("dba"));
    }

    static SqlAction update(String text) {
        SqlStatement st = new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(), Set.of(new TableRef("public", "customers")),
                Set.of(), false, null);
        return new SqlAction("prod", Protocol.POSTGRES, text, List.of("42"), new SqlAnalysis(List.of(st), "fp-update"));
    }

    static SqlAction select(String text) {
        SqlStatement st = new SqlStatement("SELECT", SqlKind.READ, Set.of(new TableRef("public", "customers"),
                new TableRef(null, "orders")), Set.of(), Set.of(), false, null);
        return new SqlAction("prod", Protocol.POSTGRES, text, List.of(), new SqlAnalysis(List.of(st), "fp-select"));
    }

    static SqlAction drop() {
        SqlStatement st = new SqlStatement("DROP TABLE", SqlKind.DDL, Set.of(), Set.of(new TableRef("public", "customers")),
                Set.of(), false, null);
        return new SqlAction("prod", Protocol.POSTGRES, "DROP TABLE customers", List.of(), new SqlAnalysis(List.of(st), "fp-drop"));
    }

    static SshAction scp() {
        return new SshAction("bastion", SshAction.ChannelType.EXEC, "scp", List.of("scp", "-f", "/var/log/app.log"),
                SshAction.Transfer.DOWNLOAD, List.of("/var/log/app.log"));
    }

    static HttpAction post() {
        return new HttpAction("billing-api", "POST", "billing.internal", "/v1/refunds", Map.of(), Map.of(),
                "ab".repeat(32), null);
    }

    static Decision allow(String rule) {
        return new Decision(Effect.ALLOW, null, List.of(rule), List.of("sql.kind=read"), "Agents may read.", null,
                POLICY, List.of(), Map.of());
    }

    static Decision approval() {
        return new Decision(Effect.REQUIRE_APPROVAL, "dba", List.of("agent-writes-need-a-dba"), List.of("sql.kind=write"),
                "Writes by agents need a DBA.", "Wait for approval.", POLICY,
                List.of(new Decision.DryRunOutcome("strict-hours", Effect.DENY, null)), Map.of());
    }

    static Decision deny() {
        return new Decision(Effect.DENY, null, List.of("no-ddl-on-prod"), List.of("sql.kind=ddl", "connection.env=prod"),
                "Schema changes on prod go through a change request.", "Open a change request.", POLICY, List.of(), Map.of());
    }

    /** A small but complete story: a policy, a session with a read, an approved write and a denied DDL. */
    static Story story() {
        UUID session = UUID.randomUUID();
        UUID read = UUID.randomUUID();
        UUID write = UUID.randomUUID();
        UUID ddl = UUID.randomUUID();
        List<LineageEvent> events = List.of(
                PolicyLoaded.of(POLICY, "rules: []"),
                SessionStarted.of(session, agentForAlice(), "prod", Protocol.POSTGRES, "10.0.0.7:51234", "psql"),
                ActionRecorded.of(read, session, select("SELECT * FROM customers JOIN orders USING (id)")),
                DecisionRecorded.of(read, allow("agents-read")),
                ResultRecorded.of(read, 12L, Duration.ofMillis(3), null, null),
                ActionRecorded.of(write, session, update("UPDATE customers SET tier = $1 WHERE id = 7")),
                DecisionRecorded.of(write, approval()),
                ResultRecorded.of(write, 1L, Duration.ofMillis(5), null, null),
                ActionRecorded.of(ddl, session, drop()),
                DecisionRecorded.of(ddl, deny()),
                SessionEnded.of(session, "client closed"));
        return new Story(session, read, write, ddl, events);
    }

    record Story(UUID session, UUID read, UUID write, UUID ddl, List<LineageEvent> events) {}
}
