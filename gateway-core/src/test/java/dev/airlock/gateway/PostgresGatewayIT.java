package dev.airlock.gateway;

import static dev.airlock.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.StoredApproval;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** pgjdbc → Airlock → embedded PostgreSQL, with the lineage store checked after each outcome. */
class PostgresGatewayIT {

    static GatewayHarness h;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

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

    String agent() {
        return h.token("agent-1", "agents");
    }

    String dba(String name) {
        return h.token(name, "dba");
    }

    @Test
    void allowsReadAndRecordsIt() throws Exception {
        try (Connection c = h.connect(agent()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id <= 10 /* read-1 */")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(10);
        }
        List<String> row = awaitRow("SELECT d.effect, array_to_string(d.rule_ids, ','), s.subject, r.rows, "
                + "coalesce(r.error_class, 'none'), coalesce(r.error_message, 'none') "
                + "FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "JOIN lineage.session_starts s USING (session_id) JOIN lineage.results r USING (action_id) "
                + "WHERE a.text LIKE '%read-1%'");
        assertThat(row).containsExactly("ALLOW", "agents-read", "agent-1", "1", "none", "none");
    }

    @Test
    void recordsTheServersErrorForAFailedStatement() throws Exception {
        try (Connection c = h.connect(agent()); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table /* fail-1 */"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("does not exist");
            // the session goes on; extended protocol failures are recorded the same way
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 / ? /* fail-2 */")) {
                ps.setInt(1, 0);
                assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining("division by zero");
            }
        }
        assertThat(awaitRow("SELECT d.effect, r.error_class, r.error_message FROM lineage.actions a "
                + "JOIN lineage.decisions d USING (action_id) JOIN lineage.results r USING (action_id) "
                + "WHERE a.text LIKE '%fail-1%'")).containsExactly("ALLOW", "42P01", "relation \"no_such_table\" does not exist");
        assertThat(awaitRow("SELECT r.error_class, r.error_message FROM lineage.actions a "
                + "JOIN lineage.results r USING (action_id) WHERE a.text LIKE '%fail-2%'"))
                .containsExactly("22012", "division by zero");
    }

    @Test
    void exportsExecutedActionsAsOpenLineageRunEvents() throws Exception {
        try (Connection c = h.connect(agent()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM items WHERE id = 3 /* lineage-export */")) {
            assertThat(rs.next()).isTrue();
        }
        java.nio.file.Path file = h.dir.resolve("openlineage.ndjson");
        String event = await(() -> {
            try {
                return java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file).stream()
                        .filter(l -> l.contains("lineage-export")).findFirst() : Optional.<String>empty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        com.fasterxml.jackson.databind.JsonNode ev = json.readTree(event);
        assertThat(ev.at("/eventType").asText()).isEqualTo("COMPLETE");
        assertThat(ev.at("/inputs/0/name").asText()).isEqualTo("items"); // as written: the analyser does not resolve search_path
        assertThat(ev.at("/run/facets/airlock_decision/effect").asText()).isEqualTo("ALLOW");
        assertThat(ev.at("/run/facets/airlock_decision/ruleIds/0").asText()).isEqualTo("agents-read");
    }

    @Test
    void deniesDdlWithRuleId() throws Exception {
        try (Connection c = h.connect(agent()); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("CREATE TABLE evil (id int)"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getServerErrorMessage().getDetail()).contains("no-ddl");
                        assertThat(e.getServerErrorMessage().getHint()).isEqualTo("Open a change request.");
                    });
            // the session goes on
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(awaitRow("SELECT d.effect, array_to_string(d.rule_ids, ',') FROM lineage.actions a "
                + "JOIN lineage.decisions d USING (action_id) WHERE a.text = 'CREATE TABLE evil (id int)'"))
                .containsExactly("DENY", "no-ddl");
        try (Connection c = h.upstream.connect(); ResultSet rs = c.createStatement()
                .executeQuery("SELECT to_regclass('public.evil') IS NULL")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void runsWriteOnceApprovedThroughRestApi() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (101, 'approved')");
            StoredApproval pending = awaitPending("(101, 'approved')");
            HttpResponse<String> list = call("GET", "", dba("bob"), null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(json.readTree(list.body()).findValuesAsText("id")).contains(pending.id());
            HttpResponse<String> vote = call("POST", "/" + pending.id() + "/approve", dba("bob"), "{\"reason\":\"ok\"}");
            assertThat(vote.statusCode()).isEqualTo(200);
            assertThat(json.readTree(vote.body()).get("state").asText()).isEqualTo("approved");
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(awaitRow("SELECT state, decided_by FROM lineage.approval_requests ar JOIN lineage.actions a USING (action_id) "
                + "WHERE a.text LIKE '%(101, ''approved'')%'")).containsExactly("approved", "bob");
        assertThat(awaitRow("SELECT d.effect, r.rows FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "JOIN lineage.results r USING (action_id) WHERE a.text LIKE '%(101, ''approved'')%'"))
                .containsExactly("REQUIRE_APPROVAL", "1");
    }

    @Test
    void refusesWriteDeniedByApprover() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (102, 'denied')");
            StoredApproval pending = awaitPending("(102, 'denied')");
            HttpResponse<String> vote = call("POST", "/" + pending.id() + "/deny", dba("bob"), "{\"reason\":\"not today\"}");
            assertThat(vote.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(PSQLException.class)
                    .cause().satisfies(e -> {
                        assertThat(((PSQLException) e).getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("Denied by bob").contains("not today");
                    });
        }
        assertThat(awaitRow("SELECT state, decided_reason FROM lineage.approval_requests WHERE summary LIKE '%(102, ''denied'')%'"))
                .containsExactly("denied", "not today");
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 102")).isZero();
    }

    @Test
    void refusesWriteWhenApprovalTimesOut() throws Exception {
        try (Connection c = h.connect(agent()); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO slow VALUES (1)"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("expired");
                        assertThat(e.getServerErrorMessage().getDetail()).contains("slow-writes-time-out");
                    });
        }
        assertThat(awaitRow("SELECT state FROM lineage.approval_requests WHERE summary = 'INSERT INTO slow VALUES (1)'"))
                .containsExactly("expired");
        assertThat(upstreamCount("SELECT count(*) FROM slow")).isZero();
    }

    @Test
    void cancelsRequestWhenAgentDisconnects() throws Exception {
        Connection c = h.connect(agent());
        CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (103, 'gone')");
        StoredApproval pending = awaitPending("(103, 'gone')");
        c.abort(Runnable::run);
        assertThatThrownBy(() -> insert.get(20, TimeUnit.SECONDS)).isNotNull();
        await(() -> h.server.approvals().find(pending.id()).filter(s -> s.state() == ApprovalState.CANCELLED));
        assertThat(awaitRow("SELECT state FROM lineage.approval_requests WHERE request_id = '" + pending.id() + "'"))
                .containsExactly("cancelled");
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 103")).isZero();
    }

    @Test
    void holdsWriteHiddenInDataModifyingCte() throws Exception {
        String sql = "WITH d AS (DELETE FROM items WHERE id = 7 RETURNING *) SELECT count(*) FROM d";
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> query = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            StoredApproval pending = awaitPending("DELETE FROM items WHERE id = 7");
            assertThat(pending.request().ruleIds()).contains("agent-writes-need-a-dba");
            assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 7")).isEqualTo(1);
            call("POST", "/" + pending.id() + "/deny", dba("bob"), null);
            assertThatThrownBy(() -> query.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(PSQLException.class);
        }
        assertThat(awaitRow("SELECT d.effect, ar.state FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "JOIN lineage.approval_requests ar USING (action_id) WHERE a.text = '" + sql + "'"))
                .containsExactly("REQUIRE_APPROVAL", "denied");
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 7")).isEqualTo(1);
    }

    @Test
    void refusesSelfApproval() throws Exception {
        // agent-1 acting for alice, who is a DBA: alice may not approve what her agent asked for
        String delegated = h.issuer.token("alice").groups("agents").actor("agent-1").mint();
        try (Connection c = h.connect(delegated)) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (104, 'self')");
            StoredApproval pending = awaitPending("(104, 'self')");
            HttpResponse<String> self = call("POST", "/" + pending.id() + "/approve", dba("alice"), null);
            assertThat(self.statusCode()).isEqualTo(403);
            assertThat(json.readTree(self.body()).get("rejection").asText()).isEqualTo("self_approval");
            HttpResponse<String> notApprover = call("POST", "/" + pending.id() + "/approve", agent(), null);
            assertThat(notApprover.statusCode()).isEqualTo(403);
            assertThat(h.server.approvals().find(pending.id()).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
            call("POST", "/" + pending.id() + "/approve", dba("carol"), null);
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(awaitRow("SELECT decided_by, s.subject FROM lineage.approval_requests ar "
                + "JOIN lineage.session_starts s USING (session_id) WHERE summary LIKE '%(104, ''self'')%'"))
                .containsExactly("carol", "alice");
    }

    @Test
    void decidesExecuteAsTheStatementTheSessionPrepared() throws Exception {
        try (Connection c = simpleQueries(agent(), "shop"); Statement s = c.createStatement()) {
            s.execute("PREPARE item_name(int) AS SELECT name FROM items WHERE id = $1");
            try (ResultSet rs = s.executeQuery("EXECUTE item_name(3) /* exec-read */")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("item 3");
            }
            // the name now stands for a write: each run of it waits for an approver, never passes as the old read
            s.execute("DEALLOCATE item_name");
            CompletableFuture<Integer> prepare = run(c, "PREPARE item_name(int) AS DELETE FROM items WHERE id = $1");
            call("POST", "/" + awaitPending("PREPARE item_name").id() + "/approve", dba("bob"), null);
            prepare.get(20, TimeUnit.SECONDS);
            CompletableFuture<Integer> delete = run(c, "EXECUTE item_name(4)");
            call("POST", "/" + awaitPending("EXECUTE item_name(4)").id() + "/deny", dba("bob"), null);
            assertThatThrownBy(() -> delete.get(20, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(PSQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            // a name the session never prepared is not understood, so the most privileged reading decides
            assertThatThrownBy(() -> s.execute("EXECUTE never_prepared")).isInstanceOfSatisfying(PSQLException.class,
                    e -> assertThat(e.getServerErrorMessage().getDetail()).contains("no-ddl"));
        }
        // on a pooled connection another session's statement may sit on the backend under the same name
        try (Connection c = simpleQueries(agent(), "shop-pooled"); Statement s = c.createStatement()) {
            s.execute("PREPARE pooled_one AS SELECT 1");
            assertThatThrownBy(() -> s.execute("EXECUTE pooled_one")).isInstanceOfSatisfying(PSQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        assertThat(upstreamCount("SELECT count(*) FROM items WHERE id = 4")).isEqualTo(1);
        assertThat(awaitRow("SELECT w.effect, w.access, w.action_kind, w.rows FROM lineage.who_touched w "
                + "JOIN lineage.actions a USING (action_id) WHERE a.text LIKE 'EXECUTE item_name(3)%'"))
                .containsExactly("ALLOW", "read", "read", "1");
    }

    /** A connection that sends every statement as a simple Query, as psql and pg_dump do. */
    static Connection simpleQueries(String token, String connection) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", token);
        p.setProperty("sslmode", "disable");
        p.setProperty("preferQueryMode", "simple");
        return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + h.server.port("pg") + "/" + connection, p);
    }

    @Test
    void capsTheSessionsOneAgentHasOnAConnectionAndRecordsTheRefusal() throws Exception {
        // shop-brief allows 2 sessions per agent (and closes sessions idle for 2 s: this test is quick)
        String capped = h.token("agent-capped", "agents");
        try (Connection one = h.connect(capped, "shop-brief"); Connection two = h.connect(capped, "shop-brief")) {
            assertThatThrownBy(() -> h.connect(capped, "shop-brief").close())
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("53300");
                        assertThat(e.getMessage()).contains("too many sessions for agent \"agent-capped\" on connection "
                                + "\"shop-brief\" (at most 2 at once)");
                        assertThat(e.getServerErrorMessage().getHint()).contains("max_sessions_per_agent");
                    });
            // another agent is not held back by this one, and the capped agent's sessions still work
            try (Connection other = h.connect(h.token("agent-other", "agents"), "shop-brief");
                 Statement st = two.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
                assertThat(other.isValid(2)).isTrue();
                assertThat(rs.next()).isTrue();
            }
        }
        // closed sessions give their places back
        await(() -> Optional.of(true).filter(x -> {
            try (Connection again = h.connect(capped, "shop-brief")) {
                return again.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        }));
        assertThat(awaitRow("SELECT failure, protocol, connection FROM lineage.session_refusals "
                + "WHERE reason LIKE 'too many sessions for agent \"agent-capped\"%'"))
                .containsExactly("too_many_sessions", "postgres", "shop-brief");
    }

    @Test
    void rejectsApiCallsWithoutToken() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(h.server.adminUrl().resolve("/api/v1/approvals")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(h.server.adminUrl().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(h.server.adminUrl().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("airlock_decisions_total").contains("airlock_sessions_active");
    }

    // ------------------------------------------------------------------ helpers

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

    static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.server.adminUrl() + "/api/v1/approvals" + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> awaitRow(String sql) throws InterruptedException {
        return h.awaitRow(sql);
    }

    static long upstreamCount(String sql) throws SQLException {
        return h.upstreamCount(sql);
    }

    @Test
    void refusesSessionsAndStatementsItCannotRecord() throws Exception {
        try (GatewayHarness own = new GatewayHarness(); Connection c = own.connect(own.token("agent-1", "agents"));
             Statement s = c.createStatement()) {
            own.server.lineageWriter().close(); // from now on every append is refused at once, as when its queue is full
            assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM items")).isInstanceOf(PSQLException.class)
                    .hasMessageContaining("cannot record this statement now");
            assertThatThrownBy(() -> own.connect(own.token("agent-2", "agents"))).isInstanceOf(PSQLException.class)
                    .hasMessageContaining("cannot record this session now");
        }
    }
}
