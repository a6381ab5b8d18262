package dev.airlock.gateway;

import static dev.airlock.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.cli.AirlockCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Approve / deny / timeout / agent gone through the approval web page (a real HTTP client with cookies that
 * follows the OIDC redirects through the dev issuer) and through {@code airlock approvals} (the CLI against the
 * REST API), with pgjdbc holding the statement; plus the web page's forgery and abuse cases.
 */
class ApprovalChannelsIT {

    static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new GatewayHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    // ------------------------------------------------------------------ web page

    @Test
    void webApproveRunsTheStatement() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (201, 'web approved')");
            StoredApproval p = awaitPending("(201, 'web approved')");
            Browser bob = Browser.signedIn("bob");
            HttpResponse<String> list = bob.get("/approvals");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains(p.id()).contains("INSERT INTO items VALUES (201, &#39;web approved&#39;)");
            assertThat(list.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> v.contains("default-src 'none'"));
            HttpResponse<String> page = bob.get("/approvals/" + p.id());
            assertThat(page.body()).contains("Approve").contains("Deny");
            HttpResponse<String> vote = bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", Browser.csrf(page.body())));
            assertThat(vote.statusCode()).isEqualTo(200);
            assertThat(vote.body()).contains("Approved.");
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(awaitRow("SELECT state, decided_by, decided_channel FROM lineage.approval_requests "
                + "WHERE summary LIKE '%(201, ''web approved'')%'")).containsExactly("approved", "bob", "web");
    }

    @Test
    void webDenyRefusesWithTheReason() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (202, 'web denied')");
            StoredApproval p = awaitPending("(202, 'web denied')");
            Browser carol = Browser.signedIn("carol");
            String csrf = Browser.csrf(carol.get("/approvals/" + p.id()).body());
            HttpResponse<String> vote = carol.post("/approvals/" + p.id() + "/deny", Map.of("csrf", csrf, "reason", "not <today>"));
            assertThat(vote.statusCode()).isEqualTo(200);
            assertThat(vote.body()).contains("Denied.").contains("not &lt;today&gt;").doesNotContain("not <today>");
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(PSQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("42501");
                assertThat(e.getMessage()).contains("Denied by carol@example.com: not <today>");
            });
        }
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 202")).isZero();
    }

    @Test
    void webVoteAfterTimeoutIsRefusedAndRecorded() throws Exception {
        Browser bob = Browser.signedIn("bob");
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO slow VALUES (202)");
            StoredApproval p = awaitPending("INSERT INTO slow VALUES (202)");
            String csrf = Browser.csrf(bob.get("/approvals/" + p.id()).body());
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).cause().hasMessageContaining("expired");
            HttpResponse<String> late = bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf));
            assertThat(late.statusCode()).isEqualTo(409);
            assertThat(late.body()).contains("Your vote was not counted: the request expired before this vote");
            assertThat(awaitRow("SELECT voter, rejection, channel FROM lineage.approval_refusals WHERE request_id = '"
                    + p.id() + "'")).containsExactly("bob", "expired", "web");
        }
    }

    @Test
    void webShowsAnAgentGoneAndRefusesALateVote() throws Exception {
        Connection c = h.connect(agent());
        CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (203, 'web gone')");
        StoredApproval p = awaitPending("(203, 'web gone')");
        Browser bob = Browser.signedIn("bob");
        String csrf = Browser.csrf(bob.get("/approvals/" + p.id()).body());
        c.abort(Runnable::run);
        assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).isNotNull();
        await(() -> h.server.approvals().find(p.id()).filter(s -> s.state() == ApprovalState.CANCELLED));
        assertThat(bob.get("/approvals/" + p.id()).body()).contains("Cancelled: the agent went away").doesNotContain("class=\"approve\"");
        HttpResponse<String> late = bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf));
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("already cancelled");
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 203")).isZero();
    }

    @Test
    void webRefusesForgedAndStateChangingGetRequests() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (204, 'web forged')");
            StoredApproval p = awaitPending("(204, 'web forged')");
            Browser bob = Browser.signedIn("bob");
            String csrf = Browser.csrf(bob.get("/approvals/" + p.id()).body());

            // GET never decides, even on the vote URL
            assertThat(bob.get("/approvals/" + p.id() + "/approve").statusCode()).isEqualTo(405);
            // no CSRF token, a wrong one, another site's Origin, a JSON body
            assertThat(bob.post("/approvals/" + p.id() + "/approve", Map.of()).statusCode()).isEqualTo(403);
            assertThat(bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf + "x")).statusCode()).isEqualTo(403);
            HttpResponse<String> evil = bob.send(HttpRequest.newBuilder(bob.url("/approvals/" + p.id() + "/approve"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf)));
            assertThat(evil.statusCode()).isEqualTo(403);
            assertThat(evil.body()).contains("Origin: https://evil.example");
            // a browser without a session (the CSRF token alone proves nothing)
            Browser stranger = new Browser();
            assertThat(stranger.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf)).statusCode()).isEqualTo(401);
            // a sign-in callback that this browser did not start
            HttpResponse<String> cb = stranger.get("/approvals/callback?code=stolen&state=guess");
            assertThat(cb.statusCode()).isEqualTo(400);

            assertThat(h.server.approvals().find(p.id()).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
            List<List<String>> refused = await(() -> rows("SELECT reason FROM lineage.approval_rejected_interactions "
                    + "WHERE channel = 'web' AND request_id = '" + p.id() + "' ORDER BY at").filter(r -> r.size() >= 4));
            assertThat(refused)
                    .contains(List.of("CSRF token missing or wrong"), List.of("Origin: https://evil.example (expected: "
                            + h.server.adminUrl().toString().toLowerCase() + ")"), List.of("not signed in (no valid session)"));

            assertThat(bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf)).statusCode()).isEqualTo(200);
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void webLetsNobodyInTheDelegationChainVote() throws Exception {
        // agent-1 acting for alice, a DBA: alice sees the request but gets no buttons, and a forged POST is refused
        String delegated = h.issuer.token("alice").groups("agents").actor("agent-1").mint();
        try (Connection c = h.connect(delegated)) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (205, 'web self')");
            StoredApproval p = awaitPending("(205, 'web self')");
            Browser alice = Browser.signedIn("alice");
            assertThat(alice.get("/approvals").body()).doesNotContain(p.id());
            HttpResponse<String> page = alice.get("/approvals/" + p.id());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("delegation chain").doesNotContain("class=\"approve\"");
            String csrf = Browser.csrf(page.body());
            HttpResponse<String> self = alice.post("/approvals/" + p.id() + "/approve", Map.of("csrf", csrf));
            assertThat(self.statusCode()).isEqualTo(403);
            assertThat(awaitRow("SELECT voter, rejection FROM lineage.approval_refusals WHERE request_id = '" + p.id() + "'"))
                    .containsExactly("alice", "self_approval");
            // an agent signing in sees nothing and may not vote
            Browser agent = Browser.signedIn("agent-9");
            assertThat(agent.get("/approvals/" + p.id()).statusCode()).isEqualTo(404);
            assertThat(h.server.approvals().find(p.id()).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
            Browser bob = Browser.signedIn("bob");
            bob.post("/approvals/" + p.id() + "/approve", Map.of("csrf", Browser.csrf(bob.get("/approvals/" + p.id()).body())));
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void webShowsTheAgentsStatedReasonEscapedAndUnverified() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "/* reason: <script>alert('x')</script> fix \"206\" @channel */\n"
                    + "INSERT INTO items VALUES (206, 'web reason')");
            StoredApproval p = awaitPending("(206, 'web reason')");
            assertThat(p.request().statedReason()).isEqualTo("<script>alert('x')</script> fix \"206\" @channel");
            assertThat(p.request().ruleIds()).containsExactly("agent-writes-need-a-dba");
            Browser bob = Browser.signedIn("bob");
            HttpResponse<String> page = bob.get("/approvals/" + p.id());
            assertThat(page.body()).contains("<dt>Agent&#39;s stated reason (unverified)</dt>"
                    + "<dd>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; fix &quot;206&quot; @channel</dd>")
                    .doesNotContain("<script>");
            bob.post("/approvals/" + p.id() + "/deny", Map.of("csrf", Browser.csrf(page.body()), "reason", "no"));
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).cause().hasMessageContaining("Denied by bob");
        }
        // no comment: the session's application_name is shown as context; a "reason:" application_name as the reason
        java.util.Properties props = new java.util.Properties();
        props.setProperty("ApplicationName", "nightly-reconciler");
        // pgjdbc puts application_name in the startup packet (where the gate reads it) only when told the server is
        // 9.0 or later; otherwise it runs SET application_name after connecting
        props.setProperty("assumeMinServerVersion", "9.0");
        try (Connection c = h.connect(agent(), "shop", props)) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (207, 'app name')");
            StoredApproval p = awaitPending("(207, 'app name')");
            assertThat(p.request().statedReason()).isEqualTo("application_name: nightly-reconciler");
            assertThat(cli(dba("bob"), "show", p.id()).out).contains("\"stated_reason\" : \"application_name: nightly-reconciler\"");
            h.server.approvals().cancel(p.id(), "test over");
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).isNotNull();
        }
        props.setProperty("ApplicationName", "reason: close the books");
        try (Connection c = h.connect(agent(), "shop", props)) {
            CompletableFuture<Integer> insert = run(c, "-- reason: a comment wins over application_name\n"
                    + "INSERT INTO items VALUES (208, 'comment wins')");
            StoredApproval p = awaitPending("(208, 'comment wins')");
            assertThat(p.request().statedReason()).isEqualTo("a comment wins over application_name");
            h.server.approvals().cancel(p.id(), "test over");
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).isNotNull();
            CompletableFuture<Integer> second = run(c, "INSERT INTO items VALUES (209, 'app reason')");
            StoredApproval q = awaitPending("(209, 'app reason')");
            assertThat(q.request().statedReason()).isEqualTo("close the books");
            h.server.approvals().cancel(q.id(), "test over");
            assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(awaitRow("SELECT detail->>'stated_reason' FROM lineage.approval_details d JOIN lineage.approval_requests r "
                + "USING (request_id) WHERE r.summary LIKE '%(207, ''app name'')%'")).containsExactly("application_name: nightly-reconciler");
    }

    // ------------------------------------------------------------------ CLI

    @Test
    void cliListsApprovesAndDenies() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (211, 'cli approved')");
            StoredApproval p = awaitPending("(211, 'cli approved')");
            Cli list = cli(dba("bob"), "list");
            assertThat(list.exit).isZero();
            assertThat(list.out.lines().filter(l -> l.startsWith(p.id() + "  "))).hasSize(1);
            assertThat(cli(agent(), "list").out).doesNotContain(p.id()); // an agent's token lists nothing
            Cli json = cli(dba("bob"), "list", "--json");
            assertThat(json.out).startsWith("[").contains("\"id\":\"" + p.id() + "\"");
            assertThat(cli(dba("bob"), "show", p.id()).out).contains("\"statement\" : \"INSERT INTO items VALUES (211, 'cli approved')\"");
            Cli approve = cli(dba("bob"), "approve", p.id());
            assertThat(approve.exit).as(approve.err).isZero();
            assertThat(approve.out).contains(p.id() + ": Approved. (state: approved)");
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            Cli again = cli(dba("carol"), "deny", p.id(), "--reason", "late");
            assertThat(again.exit).isEqualTo(1);
            assertThat(again.err).contains("409").contains("already approved by bob");
        }
        assertThat(awaitRow("SELECT decided_channel FROM lineage.approval_requests WHERE summary LIKE '%(211, ''cli approved'')%'"))
                .containsExactly("cli");

        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (212, 'cli denied')");
            StoredApproval p = awaitPending("(212, 'cli denied')");
            Cli deny = cli(dba("carol"), "deny", p.id(), "--reason", "use the admin tool");
            assertThat(deny.exit).as(deny.err).isZero();
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).cause().hasMessageContaining("use the admin tool");
        }
    }

    @Test
    void cliIsToldAboutTimeoutsAgentsGoneAndRefusals() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO slow VALUES (212)");
            StoredApproval p = awaitPending("INSERT INTO slow VALUES (212)");
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).cause().hasMessageContaining("expired");
            Cli late = cli(dba("bob"), "approve", p.id());
            assertThat(late.exit).isEqualTo(1);
            assertThat(late.err).contains("409").contains("expired");
        }
        Connection c = h.connect(agent());
        CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (213, 'cli gone')");
        StoredApproval p = awaitPending("(213, 'cli gone')");
        Cli self = cli(agent(), "approve", p.id());
        assertThat(self.exit).isEqualTo(1);
        assertThat(self.err).contains("403").contains("delegation chain");
        Cli notApprover = cli(h.token("agent-2", "agents"), "approve", p.id());
        assertThat(notApprover.exit).isEqualTo(1);
        assertThat(notApprover.err).contains("403").contains("not an approver");
        c.abort(Runnable::run);
        assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).isNotNull();
        await(() -> h.server.approvals().find(p.id()).filter(s -> s.state() == ApprovalState.CANCELLED));
        Cli gone = cli(dba("bob"), "approve", p.id());
        assertThat(gone.exit).isEqualTo(1);
        assertThat(gone.err).contains("already cancelled");
        Cli noToken = cli(null, "list");
        assertThat(noToken.exit).isNotZero();
        assertThat(noToken.err).contains("no token");
        assertThat(cli("not-a-jwt", "list").err).contains("401");
    }

    // ------------------------------------------------------------------ helpers

    record Cli(int exit, String out, String err) {
    }

    static Cli cli(String token, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = AirlockCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("approvals"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", h.server.adminUrl().toString(), "--demo-dir", "/nonexistent"));
        if (token != null) {
            all.addAll(List.of("--token", token));
        }
        int exit = cl.execute(all.toArray(String[]::new));
        return new Cli(exit, out.toString(), err.toString());
    }

    /** A browser: cookies, redirects followed, forms posted as browsers post them. */
    static final class Browser {
        private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">");
        private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
        final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();

        /** Signs in through the whole OIDC flow: page → sign-in → issuer's form → callback → page. */
        static Browser signedIn(String user) throws Exception {
            Browser b = new Browser();
            HttpResponse<String> form = b.get("/approvals");
            assertThat(form.uri().toString()).startsWith(h.issuer.issuer() + "/authorize");
            assertThat(form.uri().getRawQuery()).contains("code_challenge_method=S256").contains("code_challenge=")
                    .contains("nonce=").contains("state=");
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher m = HIDDEN.matcher(form.body());
            while (m.find()) {
                fields.put(m.group(1), m.group(2).replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'")
                        .replace("&lt;", "<").replace("&gt;", ">"));
            }
            fields.put("username", user);
            HttpResponse<String> landed = b.send(HttpRequest.newBuilder(URI.create(h.issuer.issuer() + "/authorize"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form(fields))));
            assertThat(landed.statusCode()).as(landed.body()).isEqualTo(200);
            assertThat(landed.uri().getPath()).isEqualTo("/approvals");
            assertThat(landed.body()).contains("signed in as " + user + "@example.com");
            return b;
        }

        URI url(String path) {
            return URI.create(h.server.adminUrl() + path);
        }

        HttpResponse<String> get(String path) throws Exception {
            return send(HttpRequest.newBuilder(url(path)).GET());
        }

        HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
            return send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", h.server.adminUrl().toString()).POST(HttpRequest.BodyPublishers.ofString(form(fields))));
        }

        HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        }

        static String csrf(String page) {
            Matcher m = CSRF.matcher(page);
            assertThat(m.find()).as("a CSRF field in %s", page).isTrue();
            return m.group(1);
        }

        static String form(Map<String, String> fields) {
            StringBuilder s = new StringBuilder();
            fields.forEach((k, v) -> s.append(s.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return s.toString();
        }
    }

    static String agent() {
        return h.token("agent-1", "agents");
    }

    static String dba(String name) {
        return h.issuer.token(name).groups("dba").email(name + "@example.com").mint();
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

    static StoredApproval awaitPending(String textPart) throws InterruptedException {
        return h.awaitPending(textPart);
    }

    static long upstreamCount(String sql) throws SQLException {
        return h.upstreamCount(sql);
    }

    static Optional<List<List<String>>> rows(String sql) {
        try (Connection c = h.lineage.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<List<String>> out = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out.isEmpty() ? Optional.empty() : Optional.of(out);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> awaitRow(String sql) throws InterruptedException {
        return await(() -> rows(sql).map(r -> r.get(0)));
    }
}
