package dev.airlock.gateway;

import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.gateway.identity.DevIssuer;
import dev.airlock.testing.PostgresFixture;
import dev.airlock.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Airlock in front of a fresh upstream database, with a lineage store in another fresh database and a dev issuer. */
final class GatewayHarness implements AutoCloseable {

    static final String POLICY = """
            approval_profiles:
              dba:
                approvers: {groups: [dba]}
                quorum: 1
                timeout: 60s
                channels: [cli, web]
              quick:
                approvers: {groups: [dba]}
                quorum: 1
                timeout: 2s
                channels: [cli, web]
            rules:
              - id: no-ddl
                match: {sql: {kind: [ddl, dcl, admin, server_code]}}
                effect: deny
                explain: "Schema changes on {connection} go through a change request."
                hint: "Open a change request."
              - id: slow-writes-time-out
                match: {identity: {groups: [agents]}, sql: {tables_written: ["*.slow"]}}
                effect: require_approval
                approval: quick
              - id: agent-writes-need-a-dba
                match: {identity: {groups: [agents]}, sql: {kind: [write, export]}}
                effect: require_approval
                approval: dba
              - id: agents-read
                match: {identity: {groups: [agents]}, sql: {kind: [read, session, transaction]}}
                effect: allow
              - id: items-readers-read-items
                match: {identity: {groups: [items-readers]}, sql: {kind: [read], tables: [items]}}
                effect: allow
              - id: items-readers-session
                match: {identity: {groups: [items-readers]}, sql: {kind: [session, transaction]}}
                effect: allow
            """;

    final DevIssuer issuer = DevIssuer.start();
    final TestDatabase upstream;
    final TestDatabase lineageDb;
    final LineageStore lineage;
    final AirlockServer server;
    final Path dir;

    GatewayHarness() throws Exception {
        this(PostgresFixture.get());
    }

    /** Airlock in front of a fresh database on {@code upstreamServer}; the lineage store stays on the JVM-wide server. */
    GatewayHarness(PostgresFixture upstreamServer) throws Exception {
        this(upstreamServer, POLICY, GatewayHarness::webApprovals);
    }

    GatewayHarness(String policy, java.util.function.IntFunction<String> approvals) throws Exception {
        this(PostgresFixture.get(), policy, approvals);
    }

    private static String webApprovals(int adminPort) {
        return """
                approvals:
                  channels:
                    web: {base_url: "http://127.0.0.1:%d", client_id: airlock-web}
                """.formatted(adminPort);
    }

    /**
     * @param upstreamServer where the upstream database is created (the lineage store stays on the JVM-wide server)
     * @param policy         the policy file
     * @param approvals      the {@code approvals:} block of airlock.yaml (at column 0), given the admin port
     */
    GatewayHarness(PostgresFixture upstreamServer, String policy, java.util.function.IntFunction<String> approvals)
            throws Exception {
        upstream = upstreamServer.newDatabase();
        lineageDb = PostgresFixture.get().newDatabase();
        try (Connection c = upstream.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g");
            s.execute("CREATE TABLE slow (id int)");
        }
        lineage = LineageStore.open(StoreConfig.of(lineageDb.jdbcUrl(), lineageDb.user(), lineageDb.password()));
        dir = Files.createTempDirectory("airlock-it");
        Files.writeString(dir.resolve("policy.yaml"), policy);
        int[] ports = freePorts(3);
        int adminPort = ports[0];
        String password = upstream.password() == null || upstream.password().isEmpty() ? ""
                : "    credentials: {password: \"" + upstream.password() + "\"}\n";
        Files.writeString(dir.resolve("airlock.yaml"), """
                listeners:
                  - name: pg
                    protocol: postgres
                    port: %d
                  - name: pg-brief
                    protocol: postgres
                    port: %d
                    limits: {idle_timeout: 2s, startup_timeout: 2s}
                connections:
                  - name: shop
                    protocol: postgres
                    listener: pg
                    upstream: %s:%d
                    database: %s
                    login: %s
                %s
                  - name: shop-pooled
                    protocol: postgres
                    listener: pg
                    upstream: %s:%d
                    database: %s
                    login: %s
                    pool: {mode: transaction, size: 4}
                %s
                  - name: shop-brief
                    protocol: postgres
                    listener: pg-brief
                    upstream: %s:%d
                    database: %s
                    login: %s
                    max_sessions_per_agent: 2
                %s
                identity:
                  - name: dev
                    issuer: %s
                    audience: airlock
                %s
                lineage:
                  store: jdbc
                  jdbc_url: %s
                  user: %s
                  spool_dir: spool
                  openlineage: {transport: file, file: openlineage.ndjson, interval: 100ms}
                policy:
                  files: [policy.yaml]
                admin:
                  port: %d
                """.formatted(ports[1], ports[2], upstream.host(), upstream.port(), upstream.database(), upstream.user(),
                password, upstream.host(), upstream.port(), upstream.database(), upstream.user(), password,
                upstream.host(), upstream.port(), upstream.database(), upstream.user(), password, issuer.issuer(),
                approvals.apply(adminPort), lineageDb.jdbcUrl(), lineageDb.user(), adminPort));
        // approvers sign in to the web page at the dev issuer: names starting with "agent" are agents, others DBAs
        issuer.registerClient("airlock-web", URI.create("http://127.0.0.1:" + adminPort + "/approvals/callback"));
        issuer.signInUsers(name -> issuer.token(name).groups(name.startsWith("agent") ? "agents" : "dba")
                .email(name + "@example.com"));
        AirlockConfig config = AirlockConfigLoader.load(dir.resolve("airlock.yaml")).orElseThrow();
        server = AirlockServer.start(config, AirlockServer.Options.defaults().withLineageStore(lineage)
                .withShutdownGrace(java.time.Duration.ofMillis(200)));
    }

    String token(String subject, String... groups) {
        return issuer.token(subject).groups(groups).mint();
    }

    Connection connect(String token) throws SQLException {
        return connect(token, "shop");
    }

    Connection connect(String token, String connection) throws SQLException {
        return connect(token, connection, new Properties());
    }

    /** Connects with further pgjdbc properties (e.g. {@code ApplicationName}). */
    Connection connect(String token, String connection, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.putAll(extra);
        p.setProperty("user", "agent-1");
        p.setProperty("password", token);
        p.setProperty("sslmode", "disable");
        // shop-brief is on listener pg-brief, whose limits close idle sessions after 2 s
        String listener = connection.endsWith("-brief") ? "pg-brief" : "pg";
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port(listener) + "/" + connection, p);
    }

    /** {@code n} distinct free ports: each socket stays open until all are chosen, so none is handed out twice. */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** The pending approval whose action text contains {@code textPart}, waiting for it to appear. */
    dev.airlock.approvals.StoredApproval awaitPending(String textPart) throws InterruptedException {
        return dev.airlock.testing.Await.await(() -> server.approvals().pending().stream()
                .filter(s -> s.request().actionText().contains(textPart)).findFirst());
    }

    /** The first column of the first row of {@code sql} on the upstream database, as a number. */
    long upstreamCount(String sql) throws SQLException {
        try (Connection c = upstream.connect(); java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first row of {@code sql} in the lineage store as strings, waiting for the batched writer to commit it. */
    java.util.List<String> awaitRow(String sql) throws InterruptedException {
        return dev.airlock.testing.Await.awaitRow(lineage.dataSource(), sql);
    }

    @Override
    public void close() throws Exception {
        server.close();
        lineage.close();
        issuer.close();
    }
}
