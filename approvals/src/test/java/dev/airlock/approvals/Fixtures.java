package dev.airlock.approvals;

import dev.airlock.config.Protocol;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlAnalysis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Identities, actions and profiles shared by the approval tests. */
public final class Fixtures {

    public static final String ISS = "https://idp.example.com";

    /** An agent acting for alice (who is herself a dba): neither may approve. */
    public static final Identity AGENT_FOR_ALICE = new Identity(ISS, "alice", "alice@example.com", Set.of("dba", "staff"),
            Map.of(), List.of(new Identity.Actor("agent-7", ISS, Map.of("email", "agent-7@bots.example.com"))));
    public static final Identity BOB = new Identity(ISS, "bob", "bob@example.com", Set.of("dba"), Map.of(), List.of());
    public static final Identity CAROL = new Identity(ISS, "carol", "carol@example.com", Set.of("dba"), Map.of(), List.of());
    public static final Identity DAVE = new Identity(ISS, "dave", "dave@example.com", Set.of("sales"), Map.of(), List.of());
    /** Alice again, signed in through another issuer with another subject: refused by email. */
    public static final Identity ALICE_ELSEWHERE = new Identity("https://other", "a.smith", "Alice@Example.com",
            Set.of("dba"), Map.of(), List.of());
    public static final Identity AGENT_ITSELF = new Identity(ISS, "agent-7", null, Set.of("dba"), Map.of(), List.of());

    public static final ConnectionRef PROD = new ConnectionRef("prod-db", Protocol.POSTGRES, Map.of("env", "prod"));

    private Fixtures() {
    }

    public static SqlAction update(String text) {
        return new SqlAction("prod-db", Protocol.POSTGRES, text, List.of(), new SqlAnalysis(List.of(), "fp"));
    }

    public static ApprovalContext context() {
        return new ApprovalContext(PROD, "policy-v1", List.of("agent-writes-need-a-dba"),
                "Writes on prod-db need a DBA.", "fix the typo in order 42", "1 row", List.of("public.orders"), null, null);
    }

    public static ApprovalProfile profile(int quorum, Duration timeout, Duration remind, Duration grant, List<String> channels) {
        return new ApprovalProfile("dba", new ApprovalProfile.Approvers(Set.of("dba"), Set.of("erin@example.com")),
                quorum, timeout, remind, grant, channels);
    }

    public static ApprovalProfile profile(Duration timeout, List<String> channels) {
        return profile(1, timeout, null, Duration.ZERO, channels);
    }
}
