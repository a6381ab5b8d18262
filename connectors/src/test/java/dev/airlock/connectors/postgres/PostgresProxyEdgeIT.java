package dev.airlock.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.connectors.postgres.message.AuthenticationCleartextPassword;
import dev.airlock.connectors.postgres.message.BackendMessage;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.PasswordMessage;
import dev.airlock.connectors.postgres.message.Query;
import dev.airlock.connectors.postgres.message.ReadyForQuery;
import dev.airlock.connectors.postgres.message.StartupMessage;
import dev.airlock.connectors.spi.UpstreamTarget;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/** Upstream authentication methods, TLS towards the agent, and malformed input over raw sockets. */
@ExtendWith(PostgresExtension.class)
class PostgresProxyEdgeIT {

    static TestGate gate;
    static ProxyServer plain;
    static ProxyServer tls;
    TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        gate = new TestGate();
        plain = new ProxyServer(PostgresListenerConfig.defaults(null, true), gate);
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .setIsCertificateAuthority(true).buildSelfSigned();
        tls = new ProxyServer(PostgresListenerConfig.defaults(
                SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath()).build(), false), gate);
    }

    @AfterAll
    static void stop() {
        plain.close();
        tls.close();
    }

    @BeforeEach
    void register(TestDatabase db) {
        this.db = db;
        gate.connections.put(db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), db.user(), null,
                UpstreamTarget.TlsMode.DISABLE));
    }

    private Connection connect(int port, String connection, String sslmode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "agent-1");
        p.setProperty("password", TestGate.TOKEN);
        p.setProperty("socketTimeout", "60");
        p.setProperty("sslmode", sslmode);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + connection, p);
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Makes the server demand a password from two roles (the rest of the fixture stays trust). */
    private void requirePasswords() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            String hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            createRole(s, "SET password_encryption = 'scram-sha-256'", "airlock_scram", "scram-secret");
            createRole(s, "SET password_encryption = 'md5'", "airlock_md5", "md5-secret");
            Path file = Path.of(hba);
            String current = Files.readString(file);
            if (!current.contains("airlock_scram")) {
                String lines = "host all airlock_scram 127.0.0.1/32 scram-sha-256\nhost all airlock_scram ::1/128 scram-sha-256\n"
                        + "host all airlock_md5 127.0.0.1/32 md5\nhost all airlock_md5 ::1/128 md5\n";
                Files.writeString(file, lines + current);
                s.execute("SELECT pg_reload_conf()");
            }
        }
        // the reload is asynchronous: wait until a wrong password is refused
        for (int i = 0; ; i++) {
            Properties p = new Properties();
            p.setProperty("user", "airlock_scram");
            p.setProperty("password", "wrong");
            try (Connection ignored = DriverManager.getConnection(db.jdbcUrl(), p)) {
                assertThat(i).as("pg_hba.conf reload").isLessThan(500);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            } catch (PSQLException e) {
                assertThat(e.getSQLState()).isEqualTo("28P01");
                return;
            }
        }
    }

    private static void createRole(Statement s, String encryption, String role, String password) throws SQLException {
        s.execute(encryption);
        try {
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
        } catch (PSQLException e) {
            assertThat(e.getSQLState()).isEqualTo("42710"); // already there from an earlier test
        }
    }

    @Test
    void logsInUpstreamWithScramAndMd5() throws Exception {
        requirePasswords();
        gate.connections.put("scram_" + db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), "airlock_scram",
                "scram-secret", UpstreamTarget.TlsMode.DISABLE));
        gate.connections.put("md5_" + db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), "airlock_md5",
                "md5-secret", UpstreamTarget.TlsMode.DISABLE));
        gate.connections.put("bad_" + db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), "airlock_scram",
                "not-it", UpstreamTarget.TlsMode.DISABLE));
        try (Connection c = connect(plain.port(), "scram_" + db.database(), "disable")) {
            assertThat(currentUser(c)).isEqualTo("airlock_scram");
        }
        try (Connection c = connect(plain.port(), "md5_" + db.database(), "disable")) {
            assertThat(currentUser(c)).isEqualTo("airlock_md5");
        }
        assertThatThrownBy(() -> connect(plain.port(), "bad_" + db.database(), "disable"))
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("password authentication failed");
                });
    }

    @Test
    void refusesUpstreamWithoutTlsWhenTlsIsRequired() {
        gate.connections.put("tls_" + db.database(), new UpstreamTarget(db.host(), db.port(), db.database(), db.user(), null,
                UpstreamTarget.TlsMode.REQUIRE));
        assertThatThrownBy(() -> connect(plain.port(), "tls_" + db.database(), "disable"))
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("refused TLS");
                });
    }

    @Test
    void servesAgentsOverTls() throws SQLException {
        try (Connection c = connect(tls.port(), db.database(), "require")) {
            assertThat(currentUser(c)).isEqualTo(db.user());
        }
    }

    @Test
    void refusesPlaintextAgentsWhenTlsIsRequiredEvenOnLoopback() {
        assertThatThrownBy(() -> connect(tls.port(), db.database(), "disable"))
                .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
    }

    private RawClient loggedIn() throws Exception {
        RawClient c = new RawClient(plain.port());
        c.send(new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "agent-1", "database", db.database())));
        assertThat(c.read()).isEqualTo(AuthenticationCleartextPassword.INSTANCE);
        c.send(PasswordMessage.password(TestGate.TOKEN));
        readUntilReady(c);
        return c;
    }

    /** Reads up to ReadyForQuery; relay-only messages read as {@code null}. */
    private static void readUntilReady(RawClient c) throws Exception {
        BackendMessage m;
        while (!((m = c.read()) instanceof ReadyForQuery)) {
            if (m instanceof ErrorResponse e) {
                throw new AssertionError("unexpected error " + e.fields());
            }
        }
    }

    private static void expectFatal(RawClient c, String sqlState) throws Exception {
        BackendMessage m = c.read();
        assertThat(m).isInstanceOfSatisfying(ErrorResponse.class, e -> {
            assertThat(e.sqlState()).isEqualTo(sqlState);
            assertThat(e.fields()).containsEntry('S', "FATAL");
        });
        assertThat(c.closedByServer()).isTrue();
    }

    @Test
    void refusesAWrongProtocolVersion() throws Exception {
        try (RawClient c = new RawClient(plain.port())) {
            c.send(new StartupMessage(2 << 16, Map.of("user", "agent-1")));
            expectFatal(c, "0A000");
        }
    }

    @Test
    void refusesAnOversizedStartupPacket() throws Exception {
        try (RawClient c = new RawClient(plain.port())) {
            c.send(Unpooled.buffer().writeInt(50_000).writeInt(StartupMessage.PROTOCOL_3_0));
            expectFatal(c, "08P01");
        }
    }

    @Test
    void refusesAnOversizedFrameAfterLogin() throws Exception {
        try (RawClient c = loggedIn()) {
            c.send(Unpooled.buffer().writeByte('Q').writeInt(Integer.MAX_VALUE).writeBytes(new byte[100]));
            expectFatal(c, "08P01");
        }
    }

    @Test
    void refusesAnUnknownMessageTypeAfterLogin() throws Exception {
        try (RawClient c = loggedIn()) {
            c.send(Unpooled.buffer().writeByte('!').writeInt(4));
            expectFatal(c, "08P01");
        }
    }

    @Test
    void refusesAMalformedQuery() throws Exception {
        try (RawClient c = loggedIn()) {
            c.send(Unpooled.buffer().writeByte('Q').writeInt(7).writeBytes(new byte[] {'a', 'b', 'c'}));
            expectFatal(c, "08P01");
        }
    }

    @Test
    void survivesATruncatedFrameAndKeepsServing() throws Exception {
        gate.closed.clear();
        try (RawClient c = loggedIn()) {
            c.send(Unpooled.buffer().writeByte('Q').writeInt(100).writeBytes("SELECT".getBytes()));
            c.shutdownOutput();
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(gate.closed.poll(30, TimeUnit.SECONDS)).isEqualTo("client disconnected");
        try (RawClient c = loggedIn()) {
            c.send(new Query("SELECT 1"));
            readUntilReady(c);
        }
    }
}
