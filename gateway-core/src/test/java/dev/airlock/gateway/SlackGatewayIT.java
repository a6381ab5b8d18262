package dev.airlock.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.approvals.StoredApproval;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.testing.slack.SlackStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Slack as {@code airlock run} starts it: {@link AirlockServer} from an airlock.yaml whose Slack app points at the
 * stand-in, a pgjdbc agent whose statement is held for approval, a card posted to the profile's {@code slack:}
 * channel, and a real {@code block_actions} click — over Socket Mode (approve → the statement runs) and over the
 * signed HTTP endpoint on the admin listener (deny → 42501) — then the card updated and the lineage checked.
 */
class SlackGatewayIT {

    static final String POLICY = """
            approval_profiles:
              dba:
                approvers: {groups: [dba]}
                quorum: 1
                timeout: 60s
                channels: [slack:#db-approvals, cli]
            rules:
              - id: agent-writes-need-a-dba
                match: {identity: {groups: [agents]}, sql: {kind: [write]}}
                effect: require_approval
                approval: dba
                explain: "{actor} wants to {statement} {tables} on {connection}."
              - id: agents-read
                match: {identity: {groups: [agents]}, sql: {kind: [read, session, transaction]}}
                effect: allow
            """;
    static final String SECRET = "it-signing-secret";
    static final String U_BOB = "UBOB";
    static final String U_CAROL = "UCAROL";
    static final String U_DAVE = "UDAVE";
    static final long WAIT = 20_000;

    SlackStandIn slack;
    GatewayHarness h;

    /** Starts the stand-in and Airlock with a Slack app in {@code mode}: bob mapped by id, carol by email, dave unknown. */
    void start(String mode) throws Exception {
        slack = new SlackStandIn();
        slack.addUser(SlackStandIn.SlackUser.person(U_BOB, "bob@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_CAROL, "carol@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_DAVE, "dave@example.com"));
        String transport = mode.equals("socket") ? "app_token: xapp-1-it-app-token" : "signing_secret: " + SECRET;
        h = new GatewayHarness(POLICY, adminPort -> """
                approvals:
                  directory:
                    - {subject: bob, email: bob@example.com, groups: [dba]}
                    - {subject: carol, email: carol@example.com, groups: [dba]}
                  channels:
                    slack:
                      app_id: %s
                      team_id: %s
                      mode: %s
                      bot_token: xoxb-it-bot-token
                      %s
                      api_base_url: %s
                      users: {%s: bob}
                      email_lookup: true
                      channels: [{channel: "#db-approvals"}]
                """.formatted(SlackStandIn.APP, SlackStandIn.TEAM, mode, transport, slack.methodsUrlPrefix(), U_BOB));
    }

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void socketModeClickApprovesAndTheStatementRuns() throws Exception {
        start("socket");
        slack.awaitConnections(1, WAIT);
        slack.await("auth.test", c -> "Bearer xoxb-it-bot-token".equals(c.authorization()), WAIT);
        try (Connection agent = h.connect(h.token("agent-1", "agents"))) {
            CompletableFuture<Integer> insert = run(agent, "/* reason: <!here> restock for @channel <https://evil.example|ok> */\n"
                    + "INSERT INTO items VALUES (301, 'slack approved')");
            StoredApproval p = awaitPending("(301, 'slack approved')");
            SlackStandIn.Call card = slack.await("chat.postMessage", c -> c.param("blocks") != null
                    && c.param("blocks").contains("airlock:" + p.id()), WAIT);
            assertThat(card.param("channel")).isEqualTo("#db-approvals");
            assertThat(card.authorization()).isEqualTo("Bearer xoxb-it-bot-token");
            assertThat(card.param("blocks")).contains("INSERT INTO items VALUES (301, 'slack approved')")
                    .contains("agent-writes-need-a-dba")
                    .contains("*Agent's stated reason (unverified):* &lt;!here&gt; restock for @\u2060channel "
                            + "&lt;https://evil.example|ok&gt;")
                    .doesNotContain("<!here>", "<https://evil");
            assertThat(insert).isNotDone();
            String ts = card.response().get("ts").getAsString();

            slack.awaitAck(slack.deliver(ClickDriver.blockActions(U_BOB, SlackStandIn.TEAM, SlackStandIn.APP, p.id(),
                    "airlock.approve", ts, ClickDriver.nextActionTs())), WAIT);
            assertThat(insert.get(WAIT, TimeUnit.MILLISECONDS)).isEqualTo(1);
            slack.await("chat.update", c -> ts.equals(c.param("ts")) && SlackStandIn.CHANNEL_ID.equals(c.param("channel"))
                    && c.param("blocks").contains("Approved by bob@example.com") && !c.param("blocks").contains("airlock.approve"),
                    WAIT);
        }
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 301")).isEqualTo(1);
        StoredApproval decided = h.server.approvals().find(awaitRow("SELECT request_id FROM lineage.approvals "
                + "WHERE summary LIKE '%(301, ''slack approved'')%' AND state = 'approved'").get(0)).orElseThrow();
        String id = decided.id();
        assertThat(awaitRow("SELECT a.state, a.decided_by, a.decided_channel, array_to_string(a.approvers, ','), d.effect, "
                + "res.rows, x.detail->>'stated_reason' FROM lineage.approvals a JOIN lineage.decisions d USING (action_id) "
                + "JOIN lineage.results res USING (action_id) JOIN lineage.approval_details x USING (request_id) "
                + "WHERE a.request_id = '" + id + "'")).containsExactly("approved", "bob", "slack", "bob", "REQUIRE_APPROVAL",
                "1", "<!here> restock for @channel <https://evil.example|ok>");
        assertThat(awaitRow("SELECT channel, ref FROM lineage.approval_deliveries WHERE request_id = '" + id + "'"))
                .containsExactly("slack:#db-approvals", SlackStandIn.CHANNEL_ID + "/" + slackTs(id));

        // shutdown closes the link
        h.close();
        h = null;
        slack.awaitDisconnections(1, WAIT);
        assertThat(slack.openConnections()).isZero();
    }

    @Test
    void signedHttpClickDeniesAndTheAgentGets42501() throws Exception {
        start("http");
        URI endpoint = URI.create(h.server.adminUrl() + "/slack/interactivity");
        ClickDriver driver = new ClickDriver(SECRET, endpoint);
        assertThat(slack.connectionsOpened()).as("no socket mode in http mode").isZero();
        try (Connection agent = h.connect(h.token("agent-1", "agents"))) {
            CompletableFuture<Integer> insert = run(agent, "INSERT INTO items VALUES (302, 'slack denied')");
            StoredApproval p = awaitPending("(302, 'slack denied')");
            String ts = slack.await("chat.postMessage", c -> c.param("blocks") != null
                    && c.param("blocks").contains("airlock:" + p.id()), WAIT).response().get("ts").getAsString();

            // a forged click is refused at the endpoint and recorded
            String forged = ClickDriver.form(ClickDriver.blockActions(U_BOB, SlackStandIn.TEAM, SlackStandIn.APP, p.id(),
                    "airlock.approve", ts, ClickDriver.nextActionTs()));
            HttpResponse<String> refused = driver.post(forged, String.valueOf(System.currentTimeMillis() / 1000),
                    ClickDriver.sign("not-the-secret", String.valueOf(System.currentTimeMillis() / 1000), forged));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo("X-Slack-Signature: does not match the body");
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);

            // dave is in the workspace but not in approvals.directory: told privately, not counted
            assertThat(driver.post(ClickDriver.blockActions(U_DAVE, SlackStandIn.TEAM, SlackStandIn.APP, p.id(),
                    "airlock.approve", ts, ClickDriver.nextActionTs())).statusCode()).isEqualTo(200);
            slack.await("chat.postEphemeral", c -> U_DAVE.equals(c.param("user"))
                    && c.param("text").contains("Your vote was not counted: your chat account is not mapped"), WAIT);

            // carol is mapped by her users.info email: Deny opens the reason modal, its submission denies
            assertThat(driver.post(ClickDriver.blockActions(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP, p.id(),
                    "airlock.deny", ts, ClickDriver.nextActionTs())).statusCode()).isEqualTo(200);
            slack.await("views.open", c -> c.param("view").contains(p.id()), WAIT);
            assertThat(insert).isNotDone();
            assertThat(driver.post(ClickDriver.viewSubmission(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP, p.id(),
                    "not during the freeze")).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> insert.get(WAIT, TimeUnit.MILLISECONDS)).cause()
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("Denied by carol@example.com: not during the freeze");
                    });
            slack.await("chat.update", c -> ts.equals(c.param("ts"))
                    && c.param("blocks").contains("Denied by carol@example.com: not during the freeze"), WAIT);
            assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 302")).isZero();

            assertThat(awaitRow("SELECT state, decided_by, decided_channel, decided_reason, array_to_string(deniers, ',') "
                    + "FROM lineage.approvals WHERE request_id = '" + p.id() + "'"))
                    .containsExactly("denied", "carol", "slack", "not during the freeze", "carol");
            assertThat(awaitRow("SELECT voter, rejection, channel FROM lineage.approval_refusals WHERE request_id = '"
                    + p.id() + "'")).containsExactly("slack:" + U_DAVE, "unmapped_user", "slack");
            assertThat(awaitRow("SELECT channel, reason, claimed_user FROM lineage.approval_rejected_interactions "
                    + "WHERE request_id = '" + p.id() + "'"))
                    .containsExactly("slack-http", "X-Slack-Signature: does not match the body", U_BOB);
            assertThat(awaitRow("SELECT count(*) FROM lineage.results r JOIN lineage.approvals a USING (action_id) "
                    + "WHERE a.request_id = '" + p.id() + "'")).containsExactly("0");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The Slack message ts the card of {@code requestId} was posted under. */
    private String slackTs(String requestId) {
        return slack.calls("chat.postMessage").stream().filter(c -> c.param("blocks").contains("airlock:" + requestId))
                .findFirst().orElseThrow().response().get("ts").getAsString();
    }

    static CompletableFuture<Integer> run(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
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
