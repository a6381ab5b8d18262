package dev.airlock.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.connectors.postgres.message.AuthenticationCleartextPassword;
import dev.airlock.connectors.postgres.message.BackendMessage;
import dev.airlock.connectors.postgres.message.Bind;
import dev.airlock.connectors.postgres.message.Close;
import dev.airlock.connectors.postgres.message.Execute;
import dev.airlock.connectors.postgres.message.Flush;
import dev.airlock.connectors.postgres.message.Parse;
import dev.airlock.connectors.postgres.message.ParseComplete;
import dev.airlock.connectors.postgres.message.Query;
import dev.airlock.connectors.postgres.message.ReadyForQuery;
import dev.airlock.connectors.postgres.message.Sync;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.ParameterStatus;
import dev.airlock.connectors.postgres.message.PasswordMessage;
import dev.airlock.connectors.postgres.message.StartupMessage;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.UpstreamTarget;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

@ExtendWith(PostgresExtension.class)
class PostgresProxyIT {

    static TestGate gate;
    static ProxyServer proxy;
    TestDatabase db;

    @BeforeAll
    static void startProxy() throws InterruptedException {
        gate = new TestGate();
        proxy = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate);
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @BeforeEach
    void register(TestDatabase db) throws SQLException {
        this.db = db;
        gate.connections.put(db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), db.user(),
                db.password().isEmpty() ? null : db.password(), UpstreamTarget.TlsMode.DISABLE));
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text, data bytea)");
            s.execute("INSERT INTO items SELECT g, 'item ' || g, NULL FROM generate_series(1, 10) g");
        }
    }

    /** The agent's pgjdbc login over plain TCP. */
    static Properties agent() {
        Properties p = new Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", TestGate.TOKEN);
        p.setProperty("sslmode", "disable");
        return p;
    }

    Connection connect(String mode) throws SQLException {
        return connect(mode, db.database());
    }

    Connection connect(String mode, String connection) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", TestGate.TOKEN);
        p.setProperty("socketTimeout", "60");
        p.setProperty("sslmode", "disable");
        p.setProperty("preferQueryMode", mode);
        p.setProperty("prepareThreshold", connection.startsWith("pooled_") ? "0" : "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + connection, p);
    }

    static Connection connectTo(ProxyServer server, String connection) throws SQLException {
        Properties p = agent();
        p.setProperty("preferQueryMode", "simple");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + connection, p);
    }

    @Test
    void refusesAStartupParameterValueTheServerRefusesAndKeepsThePooledConnection() throws Exception {
        String pooled = pooled();
        try (RawClient c = new RawClient(proxy.port())) {
            c.send(new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "agent-1", "database", pooled,
                    "TimeZone", "Mars/Olympus_Mons")));
            assertThat(c.read()).isEqualTo(AuthenticationCleartextPassword.INSTANCE);
            c.send(PasswordMessage.password(TestGate.TOKEN));
            BackendMessage m = c.read();
            while (m instanceof ParameterStatus || m == null) {
                m = c.read();
            }
            assertThat(m).isInstanceOfSatisfying(ErrorResponse.class, e -> {
                assertThat(e.fields()).containsEntry('S', "FATAL");
                assertThat(e.sqlState()).isEqualTo("22023");
                assertThat(e.message()).isEqualTo("invalid value for parameter \"TimeZone\": \"Mars/Olympus_Mons\"");
            });
            assertThat(c.closedByServer()).isTrue();
        }
        try (Connection c = connect("simple", pooled); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    /** The same database behind a connection with transaction pooling (2 per I/O thread). */
    String pooled() {
        return pooled("pooled_", 4);
    }

    /** The same database behind connection {@code prefix + database}, pooling {@code size} connections in all. */
    String pooled(String prefix, int size) {
        String name = prefix + db.database();
        gate.connections.put(name, gate.connections.get(db.database()).withPool(
                new UpstreamTarget.Pool(size, java.time.Duration.ofMinutes(1))));
        return name;
    }

    static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void poolingReusesUpstreamConnectionsAcrossReconnects() throws SQLException {
        String pooled = pooled();
        java.util.Set<Integer> pids = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (Connection c = connect(i % 2 == 0 ? "simple" : "extended", pooled)) {
                pids.add(backendPid(c));
            }
        }
        // one after another: each I/O thread's pool needs a single upstream connection
        assertThat(pids).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void poolSizeBoundsUpstreamConnectionsWhateverTheSessionsParameters() throws Exception {
        // application_name, search_path and the like are switched by SET / RESET, as pgbouncer does: distinct values
        // share the pool (4 connections) instead of opening connections of their own
        String pooled = pooled();
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate)) {
            String defaultPath;
            try (Connection direct = db.connect(); Statement st = direct.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('search_path')")) {
                rs.next();
                defaultPath = rs.getString(1);
            }
            for (int i = 0; i < 12; i++) {
                Properties p = agent();
                p.setProperty("ApplicationName", "bound-" + i);
                p.setProperty("assumeMinServerVersion", "10"); // application_name in the startup packet, as libpq sends it
                if (i % 2 == 0) {
                    p.setProperty("currentSchema", "pg_catalog"); // sent as the startup parameter search_path
                }
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, p);
                     Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), current_setting('search_path')")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("bound-" + i);
                    assertThat(rs.getString(2)).isEqualTo(i % 2 == 0 ? "pg_catalog" : defaultPath);
                }
            }
            try (Connection direct = db.connect(); Statement st = direct.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'bound-%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("upstream connections opened for 12 sessions").isLessThanOrEqualTo(4);
            }
        }
    }

    private RawClient rawSession(ProxyServer s, String connection, String workMem) throws Exception {
        RawClient c = new RawClient(s.port());
        c.send(new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "agent-1", "database", connection,
                "application_name", "budget-test", "work_mem", workMem)));
        assertThat(c.read()).isEqualTo(AuthenticationCleartextPassword.INSTANCE);
        c.send(PasswordMessage.password(TestGate.TOKEN));
        assertThat(answers(c)).doesNotContain("ErrorResponse").last().isEqualTo("ReadyForQuery");
        return c;
    }

    /** Fails (division by zero) unless the session's work_mem is {@code value}; DataRow and RowDescription read as "-". */
    private static String ownWorkMem(String value) {
        return "SELECT 1 / (current_setting('work_mem') = '" + value + "')::int";
    }

    @Test
    void poolSizeBoundsUpstreamConnectionsAcrossPoolsOfOtherStartupParameters() throws Exception {
        // work_mem keys a pool of its own per value, but all pools of the target share its size (2 here):
        // an agent varying it cannot open more upstream connections than that
        String pooled = pooled("pooled2wm_", 2);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1)) {
            for (int i = 1; i <= 6; i++) {
                try (RawClient c = rawSession(s, pooled, i + "MB")) {
                    c.send(new Query(ownWorkMem(i + "MB")));
                    assertThat(answers(c)).containsExactly("-", "-", "CommandComplete", "ReadyForQuery");
                }
            }
            try (Connection direct = db.connect(); Statement st = direct.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'budget-test'")) {
                rs.next();
                assertThat(rs.getInt(1)).isLessThanOrEqualTo(2);
            }
            // both connections busy in transactions: a third value waits, and gets a connection when one is released
            try (RawClient a = rawSession(s, pooled, "7MB"); RawClient b = rawSession(s, pooled, "8MB");
                 RawClient c = rawSession(s, pooled, "9MB")) {
                a.send(new Query("BEGIN; SELECT 1"));
                answers(a);
                b.send(new Query("BEGIN; SELECT 1"));
                answers(b);
                c.send(new Query(ownWorkMem("9MB")));
                a.send(new Query("COMMIT"));
                assertThat(answers(a)).last().isEqualTo("ReadyForQuery");
                assertThat(answers(c)).containsExactly("-", "-", "CommandComplete", "ReadyForQuery");
                b.send(new Query("COMMIT"));
                answers(b);
            }
        }
    }

    @Test
    void aSessionsOwnSetFollowsItToTheNextPooledConnection() throws Exception {
        // one I/O thread, one pooled connection: the two sessions take turns on it, statement by statement
        String pooled = pooled("pooled1_", 1);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1);
             Connection a = connectTo(s, pooled); Connection b = connectTo(s, pooled)) {
            assertThat(backendPid(a)).isEqualTo(backendPid(b));
            try (Statement st = a.createStatement()) {
                st.execute("SET application_name = 'renamed'");
            }
            for (int i = 0; i < 6; i++) {
                try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("SHOW application_name")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("renamed");
                }
                try (Statement st = b.createStatement(); ResultSet rs = st.executeQuery("SHOW application_name")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("PostgreSQL JDBC Driver");
                }
            }
        }
    }

    @Test
    void poolingKeepsATransactionOnOneUpstreamConnection() throws SQLException {
        String pooled = pooled();
        try (Connection a = connect("extended", pooled); Connection b = connect("extended", pooled)) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            int pa = backendPid(a);
            int pb = backendPid(b);
            assertThat(pb).as("two open transactions never share a connection").isNotEqualTo(pa);
            try (Statement s = a.createStatement()) {
                s.executeUpdate("INSERT INTO items (id, name) VALUES (70, 'pooled')");
            }
            assertThat(backendPid(a)).isEqualTo(pa);
            a.commit();
            b.commit();
        }
        try (Connection c = connect("simple", pooled); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id = 70")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    static Connection serverPrepared(ProxyServer server, String connection) throws SQLException {
        Properties p = agent();
        p.setProperty("prepareThreshold", "1"); // pgjdbc: server-prepare under a name (S_1, S_2 …) from the first run
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + connection, p);
    }

    @Test
    void aDiscardAllDoesNotLeaveTheNextSessionWithTheServersDefaults() throws Exception {
        // DISCARD ALL resets the connection's settings too; search_path is not reported back, so Airlock must not
        // take the connection to still have the value it set for the session before
        String pooled = pooled("pooled1da_", 1);
        Properties p = agent();
        p.setProperty("currentSchema", "pg_catalog"); // the startup parameter search_path
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1)) {
            try (Connection a = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, p);
                 Statement st = a.createStatement()) {
                st.execute("DISCARD ALL");
            }
            try (Connection b = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, p);
                 Statement st = b.createStatement(); ResultSet rs = st.executeQuery("SHOW search_path")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("pg_catalog");
            }
        }
    }

    @Test
    void poolingDoesNotHandOneSessionsStateToTheNext() throws Exception {
        // one pooled connection: whatever a session leaves on it beyond its transaction must not reach the next
        // session (another agent, perhaps) — a search_path pointing elsewhere, a role, LISTENs, temp tables, locks
        String pooled = pooled("pooled1st_", 1);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1)) {
            int pid;
            try (Connection a = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, agent());
                 Statement st = a.createStatement()) {
                st.execute("SET search_path = pg_catalog");
                st.execute("SET statement_timeout = '1ms'");
                st.execute("LISTEN airlock_secret");
                st.execute("CREATE TEMP TABLE left_behind AS SELECT 42 AS answer");
                st.execute("SELECT pg_advisory_lock(4711)");
                try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pid = rs.getInt(1);
                }
            }
            try (Connection b = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, agent());
                 Statement st = b.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), "
                         + "current_setting('search_path'), current_setting('statement_timeout'), "
                         + "(SELECT count(*) FROM pg_listening_channels()), to_regclass('pg_temp.left_behind') IS NULL, "
                         + "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the same upstream connection, reset, not a new one").isEqualTo(pid);
                assertThat(rs.getString(2)).isEqualTo("\"$user\", public");
                assertThat(rs.getString(3)).isEqualTo("0");
                assertThat(rs.getLong(4)).isZero();
                assertThat(rs.getBoolean(5)).isTrue();
                assertThat(rs.getLong(6)).isZero();
            }
            // a session that only reads leaves nothing to reset: its connection is handed on as it is (a DISCARD ALL
            // would have dropped the statement it prepared)
            try (Connection c = serverPrepared(s, pooled); PreparedStatement ps = c.prepareStatement("SELECT 1 + ?")) {
                ps.setInt(1, 1);
                ps.executeQuery().close();
            }
            try (Connection d = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + pooled, agent());
                 Statement st = d.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), "
                         + "(SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT 1 + $1')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(pid);
                assertThat(rs.getLong(2)).isEqualTo(1);
            }
        }
    }

    @Test
    void poolingKeepsNamedPreparedStatementsAcrossTransactionsAndSessions() throws Exception {
        // one I/O thread, one pooled connection: two sessions take turns on it, each with its own S_1
        String pooled = pooled("pooled1ps_", 1);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1);
             Connection a = serverPrepared(s, pooled); Connection b = serverPrepared(s, pooled);
             PreparedStatement pa = a.prepareStatement("SELECT name FROM items WHERE id = ?");
             PreparedStatement pb = b.prepareStatement("SELECT ?::int * 10")) {
            for (int i = 0; i < 10; i++) {
                pa.setInt(1, 1);
                try (ResultSet rs = pa.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("item 1");
                }
                pb.setInt(1, i);
                try (ResultSet rs = pb.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i * 10);
                }
            }
            assertThat(backendPid(a)).isEqualTo(backendPid(b));
            // the same statement in a third session shares the server-side one; closing and preparing again works
            try (Connection c = serverPrepared(s, pooled)) {
                for (int round = 0; round < 3; round++) {
                    try (PreparedStatement pc = c.prepareStatement("SELECT ?::int * 10")) {
                        pc.setInt(1, round);
                        try (ResultSet rs = pc.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getInt(1)).isEqualTo(round * 10);
                        }
                    }
                }
            }
            try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("SELECT statement, count(*) "
                    + "FROM pg_prepared_statements WHERE name LIKE 'airlock\\_%' GROUP BY statement")) {
                Map<String, Integer> upstream = new java.util.HashMap<>();
                while (rs.next()) {
                    upstream.put(rs.getString(1), rs.getInt(2));
                }
                // one server-side statement for each text, however many sessions prepared it under whatever name
                assertThat(upstream).containsEntry("SELECT name FROM items WHERE id = $1", 1)
                        .containsEntry("SELECT $1::int * 10", 1);
            }
            assertThat(gate.admitted).anySatisfy(cmd -> assertThat(cmd.text()).isEqualTo("SELECT name FROM items WHERE id = $1"));
        }
    }

    @Test
    void poolingPreparesNamedStatementsAgainOnAnotherConnectionAndAfterDiscard() throws Exception {
        // one I/O thread, two pooled connections, the most recently used handed out first
        String pooled = pooled("pooled2ps_", 2);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1);
             Connection a = serverPrepared(s, pooled); Connection b = serverPrepared(s, pooled);
             PreparedStatement ps = a.prepareStatement("SELECT ?::text || '!'")) {
            ps.setString(1, "first");
            int first;
            try (ResultSet rs = ps.executeQuery()) { // prepared on the connection a had
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("first!");
            }
            first = backendPid(a);
            b.setAutoCommit(false);
            assertThat(backendPid(b)).as("b's transaction takes the connection a used").isEqualTo(first);
            ps.setString(1, "second");
            try (ResultSet rs = ps.executeQuery()) { // on the other connection, which lacks the statement
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("second!");
            }
            assertThat(backendPid(a)).isNotEqualTo(first);
            // prepared by the agent once: pgjdbc would prepare again (and hide the error) had the Bind failed
            assertThat(gate.admitted.stream().filter(x -> x.text().contains("|| '!'")).map(Command::kind).toList())
                    .containsExactly(Command.Kind.SQL_PREPARE, Command.Kind.SQL_EXECUTE, Command.Kind.SQL_EXECUTE);
            b.rollback();
            try (Statement st = a.createStatement()) {
                st.execute("DISCARD ALL"); // drops the statements of whichever connection runs it
            }
            for (int i = 0; i < 4; i++) {
                ps.setString(1, "v" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("v" + i + "!");
                }
            }
        }
    }

    /** What arrives up to ReadyForQuery: message names, {@code -} for relay-only ones (DataRow, CloseComplete). */
    private static List<String> answers(RawClient c) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        while (true) {
            BackendMessage m = c.read();
            out.add(m == null ? "-" : m instanceof ErrorResponse e ? "Error " + e.sqlState() : m.getClass().getSimpleName());
            if (m instanceof ReadyForQuery) {
                return out;
            }
        }
    }

    @Test
    void poolingAnswersInTurnForStatementsTheConnectionHasAndUndoesWhatAnErrorSkips() throws Exception {
        String pooled = pooled("pooled1raw_", 1);
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate, 1);
             Connection a = serverPrepared(s, pooled); PreparedStatement pa = a.prepareStatement("SELECT 42")) {
            try (ResultSet rs = pa.executeQuery()) { // the one pooled connection now has "SELECT 42"
                assertThat(rs.next()).isTrue();
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send(new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "agent-1", "database", pooled)));
                assertThat(c.read()).isEqualTo(AuthenticationCleartextPassword.INSTANCE);
                c.send(PasswordMessage.password(TestGate.TOKEN));
                answers(c);
                // answered by Airlock, and flushed although the server has nothing to send
                c.send(new Parse("S_1", "SELECT 42", new int[0]));
                c.send(Flush.INSTANCE);
                assertThat(c.read()).isEqualTo(ParseComplete.INSTANCE);
                // after the error the server skips the rest: Airlock's own answers for them are dropped too
                c.send(new Bind("", "S_1", new short[0], List.of(), new short[0]));
                c.send(new Execute("", 0));
                c.send(new Parse("S_bad", "SELECT nope FROM no_such_table", new int[0]));
                c.send(new Parse("S_3", "SELECT 42", new int[0]));
                c.send(new Close('S', "S_1"));
                c.send(Sync.INSTANCE);
                assertThat(answers(c)).containsExactly("BindComplete", "-", "CommandComplete", "Error 42P01", "ReadyForQuery");
                // so S_1 is still there (its Close was skipped) and S_3 never was
                c.send(new Bind("", "S_1", new short[0], List.of(), new short[0]));
                c.send(new Execute("", 0));
                c.send(new Parse("S_3", "SELECT 42", new int[0]));
                c.send(new Close('S', "S_1"));
                c.send(Sync.INSTANCE);
                assertThat(answers(c)).containsExactly("BindComplete", "-", "CommandComplete", "ParseComplete", "-",
                        "ReadyForQuery");
                c.send(new Parse("S_3", "SELECT 42", new int[0]));
                c.send(Sync.INSTANCE);
                assertThat(answers(c)).containsExactly("Error 42P05", "ReadyForQuery");
            }
        }
    }

    @Test
    void poolingRunsABatchOfANamedStatement() throws Exception {
        try (Connection c = serverPrepared(proxy, pooled())) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, 1000 + i);
                    ps.setString(2, "batch " + i);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).hasSize(50).containsOnly(1);
            }
            c.commit();
            c.setAutoCommit(true);
            for (int round = 0; round < 2; round++) { // a second session's transactions, the same statement
                try (Connection d = serverPrepared(proxy, pooled());
                     PreparedStatement ps = d.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
                    for (int i = 0; i < 3; i++) {
                        ps.setInt(1, 2000 + round * 10 + i);
                        ps.setString(2, "later");
                        assertThat(ps.executeUpdate()).isEqualTo(1);
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM items WHERE id >= 1000")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(56);
            }
        }
    }

    @Test
    void poolingIsNotFooledByDiscardAllInAString() throws Exception {
        try (Connection c = serverPrepared(proxy, pooled());
             PreparedStatement ps = c.prepareStatement("SELECT ?::text || ' kept'")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "s" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("s" + i + " kept");
                }
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 'discard all' /* DISCARD ALL */")) {
                    assertThat(rs.next()).isTrue();
                }
            }
        }
        assertThat(gate.admitted.stream().filter(x -> x.text().contains("' kept'")).map(Command::kind).toList())
                .containsExactly(Command.Kind.SQL_PREPARE, Command.Kind.SQL_EXECUTE, Command.Kind.SQL_EXECUTE,
                        Command.Kind.SQL_EXECUTE);
    }

    @Test
    void poolingReportsAFailedNamedParseAndTheSessionGoesOn() throws Exception {
        try (Connection c = serverPrepared(proxy, pooled())) {
            try (PreparedStatement bad = c.prepareStatement("SELECT no_such_column FROM items WHERE id = ?")) {
                bad.setInt(1, 1);
                assertThatThrownBy(bad::executeQuery).isInstanceOfSatisfying(PSQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("42703"));
            }
            try (PreparedStatement good = c.prepareStatement("SELECT name FROM items WHERE id = ?")) {
                for (int i = 0; i < 3; i++) {
                    good.setInt(1, 2);
                    try (ResultSet rs = good.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("item 2");
                    }
                }
            }
        }
    }

    @Test
    void poolingDiscardsAConnectionLeftInsideATransaction() throws Exception {
        String pooled = pooled();
        Connection a = connect("simple", pooled);
        a.setAutoCommit(false);
        try (Statement s = a.createStatement()) {
            s.executeUpdate("INSERT INTO items (id, name) VALUES (71, 'left behind')");
        }
        int abandoned = backendPid(a);
        gate.closed.clear();
        a.abort(Runnable::run);
        assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isEqualTo("client disconnected");
        for (int i = 0; i < 4; i++) {
            try (Connection c = connect("simple", pooled)) {
                assertThat(backendPid(c)).isNotEqualTo(abandoned);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id = 71")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isZero();
                }
            }
        }
    }

    @Test
    void runsSimpleQueries() throws SQLException {
        try (Connection c = connect("simple"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), max(name) FROM items")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(10);
            assertThat(rs.getString(2)).isEqualTo("item 9");
        }
        assertThat(gate.admitted).extracting(Command::text).contains("SELECT count(*), max(name) FROM items");
    }

    @Test
    void runsPreparedStatementsWithParameters() throws SQLException {
        try (Connection c = connect("extended");
             PreparedStatement ps = c.prepareStatement("SELECT name FROM items WHERE id = ? AND name LIKE ?")) {
            for (int i = 1; i <= 8; i++) { // past prepareThreshold: named server-side statements
                ps.setInt(1, i);
                ps.setString(2, "item%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("item " + i);
                }
            }
        }
        assertThat(gate.admitted).anySatisfy(cmd -> {
            assertThat(cmd.kind()).isEqualTo(Command.Kind.SQL_EXECUTE);
            // pgjdbc sends the int in binary once the statement is server-prepared
            assertThat(cmd.parameters()).containsAnyOf("8", "\\x00000008").endsWith("item%");
        });
    }

    @Test
    void sendsBinaryParametersAsHex() throws SQLException {
        try (Connection c = connect("extended");
             PreparedStatement ps = c.prepareStatement("UPDATE items SET data = ? WHERE id = 1")) {
            ps.setBytes(1, new byte[] {1, 2, (byte) 0xff});
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(gate.admitted).anySatisfy(cmd -> assertThat(cmd.parameters()).containsExactly("\\x0102ff"));
    }

    @Test
    void runsBatches() throws SQLException {
        try (Connection c = connect("extended");
             PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
            for (int i = 100; i < 300; i++) {
                ps.setInt(1, i);
                ps.setString(2, "batch " + i);
                ps.addBatch();
            }
            assertThat(ps.executeBatch()).hasSize(200).containsOnly(1);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(210);
            }
        }
    }

    @Test
    void streamsLargeResults() throws SQLException {
        try (Connection c = connect("extended"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g")) {
            long n = 0;
            while (rs.next()) {
                n++;
            }
            assertThat(n).isEqualTo(200_000);
        }
        assertThat(gate.outcomes).anySatisfy(o -> assertThat(o.rows()).isEqualTo(200_000));
    }

    @Test
    void deniesWith42501AndTheSessionGoesOn() throws SQLException {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = connect(mode); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("DROP TABLE items"))
                        .isInstanceOfSatisfying(PSQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("DDL is not allowed on " + db.database());
                            assertThat(e.getServerErrorMessage().getDetail()).isEqualTo("rule: no-ddl, request: req-42");
                            assertThat(e.getServerErrorMessage().getHint()).isEqualTo("Ask a DBA.");
                        });
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(10);
                }
            }
        }
    }

    @Test
    void denialInsideATransactionLeavesItFailed() throws SQLException {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = connect(mode); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO items (id, name) VALUES (50, 'in tx')");
                assertThatThrownBy(() -> s.execute("DROP TABLE items")).hasFieldOrPropertyWithValue("SQLState", "42501");
                assertThatThrownBy(() -> s.executeQuery("SELECT 1")).hasFieldOrPropertyWithValue("SQLState", "25P02");
                c.rollback();
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id = 50")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isZero();
                }
                c.commit();
            }
        }
    }

    @Test
    void denialInABatchSkipsToSync() throws SQLException {
        try (Connection c = connect("extended"); Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO items (id, name) VALUES (60, 'a')");
            s.addBatch("DROP TABLE items");
            s.addBatch("INSERT INTO items (id, name) VALUES (61, 'b')");
            assertThatThrownBy(s::executeBatch).isInstanceOf(SQLException.class);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id IN (60, 61)")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero(); // the batch ran in one implicit transaction that failed
            }
        }
    }

    @Test
    void parkedStatementRunsOnceAllowedAndTheAgentIsTold() throws Exception {
        try (Connection c = connect("extended"); Statement s = c.createStatement()) {
            CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = s.executeQuery("SELECT 41 + 1 AS hold_me")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            TestGate.Held held = gate.held.poll(30, TimeUnit.SECONDS);
            assertThat(held).isNotNull();
            assertThat(result).isNotDone();
            held.verdict().complete(Verdict.ALLOW);
            // the Bind is held too, with its parameters
            TestGate.Held bind = gate.held.poll(30, TimeUnit.SECONDS);
            assertThat(bind.command().kind()).isEqualTo(Command.Kind.SQL_EXECUTE);
            bind.verdict().complete(Verdict.ALLOW);
            assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(42);
            SQLWarning w = s.getWarnings();
            assertThat(w != null).as("a warning was sent").isTrue();
            assertThat(w.getMessage()).contains("awaiting approval req-7 in web, expires 2030-01-01T00:00:00Z");
        }
    }

    @Test
    void agentGoneWhileParkedCancelsTheAdmission() throws Exception {
        @SuppressWarnings("resource")
        Connection c = connect("simple");
        @SuppressWarnings("resource")
        Statement s = c.createStatement();
        CompletableFuture.runAsync(() -> {
            try {
                s.execute("UPDATE items SET name = 'hold_me'");
            } catch (SQLException expected) {
                // the connection is closed under it
            }
        });
        TestGate.Held held = gate.held.poll(30, TimeUnit.SECONDS);
        gate.closed.clear();
        c.abort(Runnable::run); // drop the socket without Terminate
        assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isEqualTo("client disconnected while waiting for approval");
        assertThat(held.verdict()).isCancelled();
    }

    @Test
    void cancelReachesTheServer() throws Exception {
        try (Connection c = connect("extended"); Statement s = c.createStatement()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    s.execute("SELECT pg_sleep(60)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // wait until the statement has been admitted, then until the server runs it
            while (gate.admitted.stream().noneMatch(cmd -> cmd.text().contains("pg_sleep(60)")
                    && cmd.kind() == Command.Kind.SQL_EXECUTE)) {
                Thread.onSpinWait();
            }
            try (Connection direct = db.connect(); Statement ds = direct.createStatement()) {
                for (int i = 0; i < 300; i++) {
                    try (ResultSet rs = ds.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            break;
                        }
                    }
                }
            }
            s.cancel();
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(PSQLException.class)
                    .rootCause().hasFieldOrPropertyWithValue("SQLState", "57014");
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void relaysNotifications() throws SQLException {
        try (Connection listener = connect("simple"); Connection sender = connect("extended");
             Statement ls = listener.createStatement(); Statement ss = sender.createStatement()) {
            ls.execute("LISTEN airlock_test");
            ss.execute("NOTIFY airlock_test, 'hello'");
            PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(30_000);
            assertThat(got).hasSize(1);
            assertThat(got[0].getName()).isEqualTo("airlock_test");
            assertThat(got[0].getParameter()).isEqualTo("hello");
        }
    }

    @Test
    void copiesInAndOut() throws Exception {
        try (Connection c = connect("extended")) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder in = new StringBuilder();
            for (int i = 1000; i < 6000; i++) {
                in.append(i).append('\t').append("copied ").append(i).append('\n');
            }
            assertThat(copy.copyIn("COPY items (id, name) FROM STDIN", new StringReader(in.toString()))).isEqualTo(5000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(copy.copyOut("COPY (SELECT id, name FROM items WHERE id >= 1000 ORDER BY id) TO STDOUT", out)).isEqualTo(5000);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(in.toString());
        }
    }

    @Test
    void rejectsABadToken() {
        Properties p = new Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", "wrong");
        p.setProperty("sslmode", "disable");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.database(), p))
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28P01");
                    assertThat(e.getMessage()).contains("token rejected");
                });
    }

    @Test
    void rejectsAnUnknownConnection() {
        Properties p = new Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", TestGate.TOKEN);
        p.setProperty("socketTimeout", "60");
        p.setProperty("sslmode", "disable");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/nope", p))
                .hasFieldOrPropertyWithValue("SQLState", "3D000");
    }

    @Test
    void cancelWhileParkedGivesUpTheWait() throws Exception {
        try (Connection c = connect("simple"); Statement s = c.createStatement()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    s.execute("UPDATE items SET name = 'hold_me'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            TestGate.Held held = gate.held.poll(30, TimeUnit.SECONDS);
            s.cancel();
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS))
                    .rootCause().hasFieldOrPropertyWithValue("SQLState", "57014");
            assertThat(held.verdict()).isCancelled();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE name LIKE 'hold%'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void gatesFastPathFunctionCalls() throws SQLException {
        try (Connection c = connect("extended")) {
            c.setAutoCommit(false);
            org.postgresql.largeobject.LargeObjectManager lom = c.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = lom.createLO();
            try (org.postgresql.largeobject.LargeObject lo = lom.open(oid)) {
                lo.write(new byte[] {1, 2, 3});
            }
            c.commit();
            assertThat(gate.admitted).anySatisfy(cmd -> assertThat(cmd.kind()).isEqualTo(Command.Kind.FUNCTION_CALL));
            gate.denyFunctionCalls = true;
            try {
                assertThatThrownBy(() -> lom.open(oid)).isInstanceOf(SQLException.class);
                c.rollback();
            } finally {
                gate.denyFunctionCalls = false;
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void relaysNotices() throws SQLException {
        try (Connection c = connect("simple"); Statement s = c.createStatement()) {
            s.execute("DO $$BEGIN RAISE NOTICE 'hello from the server'; END$$");
            SQLWarning w = s.getWarnings();
            assertThat(w != null && w.getMessage().contains("hello from the server")).isTrue();
        }
    }

    @Test
    void closesIdleSessions() throws Exception {
        try (ProxyServer idle = new ProxyServer(PostgresListenerConfig.defaults(null, true)
                .withIdleTimeout(java.time.Duration.ofMillis(300)), gate)) {
            Properties p = new Properties();
            p.setProperty("user", "agent-1");
            p.setProperty("password", TestGate.TOKEN);
            p.setProperty("socketTimeout", "60");
            p.setProperty("sslmode", "disable");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + idle.port() + "/" + db.database(), p)) {
                gate.closed.clear();
                assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isEqualTo("idle timeout");
                assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
            }
        }
    }

    @Test
    void forgetsClosedSessions() throws Exception {
        // Nothing may keep a closed session reachable, such as its idle check still queued on the event loop for the
        // idle timeout (an hour by default): agents that connect for every statement would fill the heap.
        try (ProxyServer s = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate)) {
            Properties p = agent();
            gate.closed.clear();
            for (String connection : List.of(db.database(), pooled(), db.database(), pooled())) {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + connection, p);
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                }
            }
            for (int i = 0; i < 4; i++) {
                assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isNotNull();
            }
            assertThat(s.accepted).hasSize(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.accepted.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertThat(s.accepted).allSatisfy(r -> assertThat(r.get()).as("a closed client channel still reachable").isNull());
        }
    }

    @Test
    void capsTheWaitInsideATransactionAndLeavesItFailed() throws Exception {
        try (ProxyServer capped = new ProxyServer(PostgresListenerConfig.defaults(null, true)
                .withMaxWaitInTransaction(java.time.Duration.ofMillis(300)), gate)) {
            Properties p = agent();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + capped.port() + "/" + db.database(), p);
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO items (id, name) VALUES (80, 'in tx')");
                gate.held.clear();
                assertThatThrownBy(() -> s.executeUpdate("UPDATE items SET name = 'hold_me' WHERE id = 80"))
                        .isInstanceOfSatisfying(PSQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getMessage()).contains("waited longer than PT0.3S for approval inside a transaction");
                        });
                assertThat(gate.held.poll(30, TimeUnit.SECONDS).verdict()).isCancelled();
                assertThatThrownBy(() -> s.executeQuery("SELECT 1")).hasFieldOrPropertyWithValue("SQLState", "25P02");
                c.rollback();
            }
        }
    }

    @Test
    void shutdownEndsIdleSessionsWith57P01() throws Exception {
        try (ProxyServer stopping = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate)) {
            Properties p = agent();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + stopping.port() + "/" + db.database(), p)) {
                gate.closed.clear();
                stopping.configurator.shutdown();
                assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isEqualTo("Airlock shutting down");
                assertThat(stopping.configurator.activeSessions()).isZero();
                assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
            }
        }
    }
}
