package dev.airlock.gateway;

import static dev.airlock.gateway.PostgresGatewayIT.awaitPending;
import static dev.airlock.gateway.PostgresGatewayIT.awaitRow;
import static dev.airlock.gateway.PostgresGatewayIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.approvals.StoredApproval;
import dev.airlock.cli.AirlockCommand;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import picocli.CommandLine;

/**
 * Real clients through the whole gate — psql, the {@code airlock approvals} CLI, pooled reconnects, tokens that must
 * be refused, raw-socket garbage after login — each checked against the lineage store. pg_dump has its own class,
 * {@link PgDumpIT}, since it needs an upstream no newer than itself.
 */
class PostgresClientsIT {

    static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        // the helpers of PostgresGatewayIT (awaitRow, awaitPending, call) read its harness field; failsafe runs
        // test classes one after another, each setting it in its @BeforeAll
        PostgresGatewayIT.h = h = new GatewayHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    static String agent() {
        return h.token("agent-1", "agents");
    }

    record Result(int exit, String out, String err) {
    }

    static Result exec(List<String> command, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGCONNECT_TIMEOUT", "20");
        Path err = Files.createTempFile("airlock-client", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    String conninfo() {
        return "host=127.0.0.1 port=" + h.server.port("pg") + " dbname=shop user=agent-1 sslmode=disable";
    }

    static boolean installed(String program) {
        return Files.isExecutable(Path.of("/usr/bin", program));
    }

    @Test
    void psqlReadsAndIsRecorded() throws Exception {
        assumeTrue(installed("psql"), "psql is not installed");
        Result r = exec(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", conninfo(),
                "-c", "SELECT count(*) FROM items WHERE id <= 10 /* psql-read */"), agent());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("10");
        assertThat(awaitRow("SELECT d.effect, r.rows, s.client_program FROM lineage.actions a "
                + "JOIN lineage.decisions d USING (action_id) JOIN lineage.results r USING (action_id) "
                + "JOIN lineage.session_starts s USING (session_id) WHERE a.text LIKE '%psql-read%'"))
                .containsExactly("ALLOW", "1", "psql");
    }

    @Test
    void psqlSeesTheDenialWithRuleAndHint() throws Exception {
        assumeTrue(installed("psql"), "psql is not installed");
        Result r = exec(List.of("psql", "-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", conninfo(),
                "-c", "DROP TABLE items /* psql-ddl */"), agent());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("ERROR:  42501:").contains("DETAIL:  rule: no-ddl, request: ")
                .contains("HINT:  Open a change request.");
        assertThat(awaitRow("SELECT d.effect FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "WHERE a.text LIKE '%psql-ddl%'")).containsExactly("DENY");
    }

    @Test
    void writeRunsOnceApprovedWithTheCli() throws Exception {
        try (Connection c = h.connect(agent())) {
            CompletableFuture<Integer> insert = run(c, "INSERT INTO items VALUES (201, 'cli')");
            StoredApproval pending = awaitPending("(201, 'cli')");
            StringWriter out = new StringWriter();
            CommandLine cli = AirlockCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(out));
            int exit = cli.execute("approvals", "approve", pending.id(), "--url", h.server.adminUrl().toString(),
                    "--token", h.token("bob", "dba"), "--reason", "looks fine");
            assertThat(exit).as(out.toString()).isZero();
            assertThat(insert.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(awaitRow("SELECT ar.state, ar.decided_by, r.rows FROM lineage.approval_requests ar "
                + "JOIN lineage.results r USING (action_id) WHERE ar.summary LIKE '%(201, ''cli'')%'"))
                .containsExactly("approved", "bob", "1");
    }

    @Test
    void pooledReconnectsShareUpstreamConnectionsAndEachSessionIsRecorded() throws Exception {
        Set<Integer> pids = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            try (Connection c = h.connect(agent(), "shop-pooled"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_backend_pid() /* pooled-" + i + " */")) {
                rs.next();
                pids.add(rs.getInt(1));
            }
        }
        assertThat(pids).as("upstream backends").hasSizeLessThanOrEqualTo(4);
        assertThat(awaitRow("SELECT count(DISTINCT a.session_id), count(r.action_id) FROM lineage.actions a "
                + "JOIN lineage.results r USING (action_id) WHERE a.text LIKE 'SELECT pg_backend_pid() /* pooled-%' "
                + "HAVING count(r.action_id) = 12")).containsExactly("12", "12");
    }

    @Test
    void refusesExpiredAndWrongAudienceTokensAndRecordsNoSession() throws Exception {
        Instant started = Instant.now().minusSeconds(1);
        String expired = h.issuer.token("agent-expired").groups("agents").issuedAt(Instant.now().minus(Duration.ofHours(2)))
                .lifetime(Duration.ofMinutes(10)).mint();
        String otherAudience = h.issuer.token("agent-elsewhere").groups("agents").audience("not-airlock").mint();
        assertThatThrownBy(() -> h.connect(expired)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("28P01");
            assertThat(e.getMessage()).contains("token rejected").containsIgnoringCase("expired");
        });
        assertThatThrownBy(() -> h.connect(otherAudience)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("28P01");
            assertThat(e.getMessage()).contains("token rejected").containsIgnoringCase("audience");
        });
        // a session opened afterwards is recorded; the writer keeps order, so the refused ones would be there by now
        try (Connection c = h.connect(h.token("agent-after", "agents"))) {
            assertThat(c.isValid(5)).isTrue();
        }
        awaitRow("SELECT 1 FROM lineage.session_starts WHERE subject = 'agent-after'");
        assertThat(awaitRow("SELECT count(*) FROM lineage.session_starts WHERE subject IN ('agent-expired', 'agent-elsewhere')"))
                .containsExactly("0");
        // each refusal is recorded, without the token: what was asked for, from where, and what the client was told
        assertThat(awaitRow("SELECT count(*), min(listener), min(connection), min(protocol), min(failure), "
                + "bool_and(reason LIKE 'token rejected: %'), bool_or(reason ILIKE '%expired%'), bool_or(reason ILIKE '%audience%'), "
                + "bool_and(client_address LIKE '%127.0.0.1%'), bool_or(reason LIKE '%' || split_part('" + expired
                + "', '.', 3) || '%') FROM lineage.session_refusals WHERE at >= '" + started + "' HAVING count(*) = 2"))
                .containsExactly("2", "pg", "shop", "postgres", "authentication_failed", "t", "t", "t", "t", "f");
    }

    @Test
    void aListenersConfiguredLimitsCloseIdleSessionsAndSlowStartups() throws Exception {
        try (Connection c = h.connect(h.token("agent-brief", "agents"), "shop-brief", new Properties());
             Statement s = c.createStatement()) {
            assertThat(s.executeQuery("SELECT 1").next()).isTrue();
            Thread.sleep(3_500); // idle_timeout: 2s on pg-brief (the default is 1 h)
            assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Socket raw = new Socket("127.0.0.1", h.server.port("pg-brief"))) {
            raw.setSoTimeout(20_000);
            long start = System.nanoTime();
            byte[] answer = raw.getInputStream().readAllBytes(); // an ErrorResponse, then the close
            assertThat(answer).as("told, then closed without a startup message (startup_timeout: 2s)").isNotEmpty();
            assertThat((char) answer[0]).isEqualTo('E');
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(15));
        }
        assertThat(awaitRow("SELECT e.reason FROM lineage.session_ends e JOIN lineage.session_starts s USING (session_id) "
                + "WHERE s.subject = 'agent-brief'")).isNotEmpty();
    }

    @Test
    void garbageAfterLoginEndsTheSessionWith08P01AndIsRecorded() throws Exception {
        String token = h.token("agent-garbage", "agents");
        try (Socket s = new Socket("127.0.0.1", h.server.port("pg"))) {
            s.setSoTimeout(20_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] params = "user\0agent-garbage\0database\0shop\0\0".getBytes(StandardCharsets.US_ASCII);
            out.writeInt(8 + params.length);
            out.writeInt(196608);
            out.write(params);
            out.flush();
            assertThat(readType(in)).isEqualTo('R');
            byte[] pw = (token + "\0").getBytes(StandardCharsets.US_ASCII);
            out.writeByte('p');
            out.writeInt(4 + pw.length);
            out.write(pw);
            out.flush();
            while (readType(in) != 'Z') {
                // AuthenticationOk, ParameterStatus, BackendKeyData
            }
            out.write(new byte[] {'!', 0, 0, 0, 4});
            out.flush();
            assertThat(readType(in)).isEqualTo('E');
            assertThat(lastBody).contains("08P01").contains("FATAL");
            assertThat(in.read()).as("closed by Airlock").isEqualTo(-1);
        }
        assertThat(awaitRow("SELECT e.reason FROM lineage.session_ends e JOIN lineage.session_starts s USING (session_id) "
                + "WHERE s.subject = 'agent-garbage'")).singleElement().asString().startsWith("protocol violation");
    }

    private String lastBody;

    private char readType(DataInputStream in) throws IOException {
        char type = (char) in.readUnsignedByte();
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        lastBody = new String(body, StandardCharsets.UTF_8);
        return type;
    }

    @Test
    void decidesEachStatementOfAMultiStatementString() throws Exception {
        String reader = h.token("items-reader", "items-readers");
        try (Connection c = h.connect(reader); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items /* multi-1 */")) {
                rs.next();
                assertThat(rs.getInt(1)).isPositive();
            }
            // as a whole this reads items (which the rule allows) and slow; the second statement alone is allowed by nothing
            assertThatThrownBy(() -> s.execute("SELECT count(*) FROM items; SELECT count(*) FROM slow /* multi-2 */"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        assertThat(awaitRow("SELECT d.effect FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "WHERE a.text LIKE '%multi-2%'")).containsExactly("DENY");
    }
}
