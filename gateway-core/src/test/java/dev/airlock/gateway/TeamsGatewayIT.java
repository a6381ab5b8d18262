package dev.airlock.gateway;

import static dev.airlock.gateway.SlackGatewayIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.testing.teams.BotFrameworkStandIn;
import dev.airlock.testing.teams.BotFrameworkStandIn.Member;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Teams as {@code airlock run} starts it: {@link AirlockServer} from an airlock.yaml whose Teams bot points at the
 * Bot Framework stand-in, a pgjdbc agent whose statement is held for approval, an Adaptive Card posted to the
 * profile's {@code teams:} conversation, and real signed {@code adaptiveCard/action} invokes delivered to the admin
 * listener's {@code /teams/messages} — approve (the statement runs) and deny (42501) — then the card updated and
 * the lineage checked.
 */
class TeamsGatewayIT {

    static final String POLICY = SlackGatewayIT.POLICY.replace("slack:#db-approvals", "teams:dba");
    static final Member BOB = Member.user("b0b00000-0000-4000-8000-000000000001", "bob@example.com");
    static final Member CAROL = Member.user("ca401000-0000-4000-8000-000000000002", "carol@example.com");
    static final Member DAVE = Member.user("da7e0000-0000-4000-8000-000000000004", "dave@example.com");
    static final long WAIT = 20_000;

    final ObjectMapper json = new ObjectMapper();
    BotFrameworkStandIn bf;
    GatewayHarness h;
    URI endpoint;

    /** bob is mapped by object id, carol by the email Teams reports, dave is in the team but not in the directory. */
    @BeforeEach
    void start() throws Exception {
        bf = new BotFrameworkStandIn();
        bf.addMember(BOB);
        bf.addMember(CAROL);
        bf.addMember(DAVE);
        h = new GatewayHarness(POLICY, adminPort -> """
                approvals:
                  directory:
                    - {subject: bob, email: bob@example.com, groups: [dba]}
                    - {subject: carol, email: carol@example.com, groups: [dba]}
                  channels:
                    teams:
                      app_id: %s
                      app_password: %s
                      tenant: %s
                      service_url: %s
                      users: {%s: bob}
                      email_lookup: true
                      conversations: [{name: dba, conversation: "%s"}]
                      login_base_url: %s
                      openid_metadata_url: %s
                """.formatted(BotFrameworkStandIn.APP_ID, BotFrameworkStandIn.APP_PASSWORD, BotFrameworkStandIn.TENANT,
                bf.serviceUrl(), BOB.aadObjectId(), BotFrameworkStandIn.CONVERSATION, bf.baseUrl(), bf.openIdMetadataUrl()));
        endpoint = URI.create(h.server.adminUrl() + "/teams/messages");
    }

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (bf != null) {
            bf.close();
        }
    }

    @Test
    void clickApprovesAndTheStatementRuns() throws Exception {
        try (Connection agent = h.connect(h.token("agent-1", "agents"))) {
            CompletableFuture<Integer> insert = run(agent, "/* reason: [click me](https://evil.example) **now** */\n"
                    + "INSERT INTO items VALUES (311, 'teams approved')");
            StoredApproval p = awaitPending("(311, 'teams approved')");
            String activityId = bf.awaitActivity(a -> a.toString().contains(p.id()), WAIT);
            JsonNode card = bf.activity(activityId).path("attachments").get(0).path("content");
            String text = card.toString();
            assertThat(text).contains("INSERT INTO items VALUES (311, 'teams approved')").contains("agent-writes-need-a-dba");
            // the agent's text is only ever a TextRun (plain text in Teams), never markdown
            assertThat(card.findParents("text")).filteredOn(n -> n.path("text").asText().contains("evil.example"))
                    .isNotEmpty().allSatisfy(n -> assertThat(n.path("type").asText()).isEqualTo("TextRun"));
            assertThat(insert).isNotDone();

            // dave is told his vote was not counted, in the invoke response
            assertThat(click(DAVE, activityId, "airlock.approve", Map.of("requestId", p.id())))
                    .startsWith("Your vote was not counted: your chat account is not mapped");
            assertThat(click(BOB, activityId, "airlock.approve", Map.of("requestId", p.id()))).contains("Approved");
            assertThat(insert.get(WAIT, TimeUnit.MILLISECONDS)).isEqualTo(1);
            bf.await(c -> c.method().equals("PUT") && c.body().toString().contains("Approved by bob@example.com")
                    && !c.body().toString().contains("Action.Execute"), WAIT);
        }
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 311")).isEqualTo(1);
        String id = awaitRow("SELECT request_id FROM lineage.approvals WHERE summary LIKE '%(311, ''teams approved'')%'"
                + " AND state = 'approved'").get(0);
        assertThat(awaitRow("SELECT a.decided_by, a.decided_channel, res.rows FROM lineage.approvals a "
                + "JOIN lineage.results res USING (action_id) WHERE a.request_id = '" + id + "'"))
                .containsExactly("bob", "teams", "1");
        assertThat(awaitRow("SELECT channel, ref FROM lineage.approval_deliveries WHERE request_id = '" + id + "'").get(0))
                .isEqualTo("teams:dba");
        assertThat(awaitRow("SELECT voter, rejection, channel FROM lineage.approval_refusals WHERE request_id = '" + id + "'"))
                .containsExactly("teams:" + DAVE.aadObjectId(), "unmapped_user", "teams");
    }

    @Test
    void clickDeniesWithAReasonAndAForgedOneIsRecorded() throws Exception {
        try (Connection agent = h.connect(h.token("agent-1", "agents"))) {
            CompletableFuture<Integer> insert = run(agent, "INSERT INTO items VALUES (312, 'teams denied')");
            StoredApproval p = awaitPending("(312, 'teams denied')");
            String activityId = bf.awaitActivity(a -> a.toString().contains(p.id()), WAIT);

            ObjectNode forged = bf.invoke(BOB, activityId, "airlock.approve", Map.of("requestId", p.id()));
            HttpResponse<String> refused = bf.deliver(endpoint, forged,
                    "Bearer " + BotFrameworkStandIn.forged(bf.claims(forged).build()));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo("token: signature does not verify");

            assertThat(click(CAROL, activityId, "airlock.deny", Map.of("requestId", p.id(), "reason", "not during the freeze")))
                    .contains("Denied");
            assertThatThrownBy(() -> insert.get(WAIT, TimeUnit.MILLISECONDS)).cause()
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("Denied by carol@example.com: not during the freeze");
                    });
            bf.await(c -> c.method().equals("PUT") && c.body().toString().contains("Denied by carol@example.com"), WAIT);
            assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 312")).isZero();
            assertThat(awaitRow("SELECT state, decided_by, decided_channel, decided_reason FROM lineage.approvals "
                    + "WHERE request_id = '" + p.id() + "'")).containsExactly("denied", "carol", "teams", "not during the freeze");
            assertThat(awaitRow("SELECT channel, reason, claimed_user FROM lineage.approval_rejected_interactions "
                    + "WHERE request_id = '" + p.id() + "'"))
                    .containsExactly("teams", "token: signature does not verify", BOB.aadObjectId());
        }
    }

    private String click(Member who, String activityId, String verb, Map<String, String> data) throws Exception {
        HttpResponse<String> r = bf.deliver(endpoint, bf.invoke(who, activityId, verb, data));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return json.readTree(r.body()).path("value").asText();
    }

    StoredApproval awaitPending(String textPart) throws InterruptedException {
        return h.awaitPending(textPart);
    }

    long upstreamCount(String sql) throws SQLException {
        return h.upstreamCount(sql);
    }

    List<String> awaitRow(String sql) throws InterruptedException {
        return h.awaitRow(sql);
    }
}
