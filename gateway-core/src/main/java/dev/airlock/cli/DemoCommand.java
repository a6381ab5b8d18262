package dev.airlock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.gateway.AirlockServer;
import dev.airlock.gateway.identity.DevIssuer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock demo}: everything on one machine — embedded PostgreSQL holding a sample {@code shop} database
 * and the lineage store, a sample billing HTTP API, a development OIDC issuer, a demo policy — and prints how to
 * connect.
 * {@code airlock demo token <name>} mints a token from the running demo.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a self-contained demo: sample database and billing API, lineage store, dev OIDC issuer, demo policy.",
                "Approvals: web page and CLI; with --slack-channel (and the app options) also Slack."},
        subcommands = DemoCommand.Token.class)
final class DemoCommand implements Callable<Integer> {

    static final Path DEFAULT_DIR = Path.of(".airlock", "demo");
    static final String STATE_FILE = "state.json";
    static final String WEB_CLIENT = "airlock";
    static final ObjectMapper JSON = new ObjectMapper();

    static final String POLICY = """
            # The demo policy. Edit and save: Airlock reloads it (a broken edit keeps the previous policy).
            approval_profiles:
              dba:
                approvers: {groups: [dba]}
                quorum: 1
                timeout: 10m
                channels: [cli, web%s]
            rules:
              - id: no-ddl
                match: {sql: {kind: [ddl, dcl, admin, server_code]}}
                effect: deny
                explain: "Schema and privilege changes on {connection} go through a change request."
                hint: "Ask a DBA to make the change."
              - id: exports-need-a-dba
                match: {sql: {kind: [export]}}
                effect: require_approval
                approval: dba
                explain: "{actor} wants to export data from {connection}; a DBA approves exports."
              - id: writes-need-a-dba
                match: {sql: {kind: [write]}}
                effect: require_approval
                approval: dba
                explain: "{actor} wants to {statement} {tables} on {connection}; a DBA approves writes."
              - id: reads-are-fine
                match: {sql: {kind: [read, session, transaction]}}
                effect: allow
              # --- the billing API (HTTP) ---
              - id: no-big-refunds-by-agents
                match: {identity: {groups: [agents]}, http: {method: [POST], path: ["/v1/refunds"], body: {amount: {gt: 1000}}}}
                effect: deny
                explain: "Refunds above 1000 are issued by people, not by {actor}."
                hint: "Ask someone in billing to issue it."
              - id: billing-changes-need-a-dba
                match: {http: {method: [POST, PUT, PATCH, DELETE]}}
                effect: require_approval
                approval: dba
                explain: "{actor} wants to {method} {path} on {connection}; a DBA approves changes to billing."
              - id: billing-reads-are-fine
                match: {http: {method: [GET, HEAD]}}
                effect: allow
            """;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo keeps its data (default: .airlock/demo).")
    Path dir = DEFAULT_DIR;

    @Option(names = "--port", description = "PostgreSQL listener port (default: 6432, or a free port when taken).")
    int port = 6432;

    @Option(names = "--admin-port", description = "Admin/REST port (default: 9090, or a free port when taken).")
    int adminPort = 9090;

    @Option(names = "--pool", paramLabel = "MODE",
            description = "Pool upstream connections of the demo connection: 'transaction' (as pgbouncer), or 'none' (default).")
    String pool = "none";

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads for agent and upstream connections (default: twice the cores).")
    Integer ioThreads;

    @Option(names = "--http-port", description = "HTTP listener port for the billing API (default: 8080, or a free port when taken).")
    int httpPort = 8080;

    @Option(names = "--billing-url", paramLabel = "URL",
            description = "Put this HTTP service behind the demo's billing connection instead of the built-in sample API"
                    + " (e.g. for benchmarks).")
    java.net.URI billingUrl;

    @Option(names = "--slack-channel", paramLabel = "CHANNEL",
            description = "Also ask for approvals in this Slack channel (#name or a channel id), with the app given by the"
                    + " other --slack-… options and the tokens in SLACK_BOT_TOKEN (xoxb-…) and"
                    + " SLACK_APP_TOKEN (xapp-…, socket mode) or SLACK_SIGNING_SECRET (http mode). See docs/approvals.md.")
    String slackChannel;

    @Option(names = "--slack-app-id", paramLabel = "ID", description = "The Slack app's id (A…), required with --slack-channel.")
    String slackAppId;

    @Option(names = "--slack-team-id", paramLabel = "ID", description = "The Slack workspace id (T…), required with --slack-channel.")
    String slackTeamId;

    @Option(names = "--slack-user", paramLabel = "MEMBER_ID=NAME",
            description = "Who a Slack member is in the demo (repeatable; at least one): e.g. U0123ABCDEF=alice makes that"
                    + " member the demo's alice, a DBA, who may approve.")
    List<String> slackUsers = new java.util.ArrayList<>();

    @Option(names = "--slack-mode", paramLabel = "MODE",
            description = "How clicks reach the demo: socket (default; Socket Mode, no inbound port) or http (the app's"
                    + " Request URL must reach /slack/interactivity on the admin port, over https).")
    String slackMode = "socket";

    @Option(names = "--slack-api-url", paramLabel = "URL", description = "The Slack Web API base (default https://slack.com/api).")
    URI slackApiUrl;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!pool.equals("none") && !pool.equals("transaction")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--pool: '" + pool + "' (expected: none or transaction)");
        }
        RunCommand.checkIoThreads(spec, ioThreads);
        DemoSlack slack;
        try {
            slack = DemoSlack.of(slackChannel, slackAppId, slackTeamId, slackMode, slackApiUrl, slackUsers, System::getenv);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Path home = dir.toAbsolutePath().normalize();
        Files.createDirectories(home);
        out.println("airlock demo: starting embedded PostgreSQL in " + home.resolve("pg") + " (first run takes a while) ...");
        out.flush();
        // no shutdown hook of its own: it would stop PostgreSQL while Airlock still drains (closeAll stops it last)
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(home.resolve("pg")).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost").setRegisterShutdownHook(false).start();
        DevIssuer issuer = null;
        HttpServer minter = null;
        LineageStore lineage = null;
        AirlockServer server = null;
        DemoBilling billing = null;
        try {
            seed(pg.getPort());
            issuer = DevIssuer.start();
            String secret = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
            minter = startMinter(issuer, secret);
            int pgPort = available(port);
            int admin = available(adminPort);
            int http = available(httpPort);
            String billingToken = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
            String billingUpstream;
            if (billingUrl == null) {
                billing = DemoBilling.start(billingToken);
                billingUpstream = "http://127.0.0.1:" + billing.port() + "/";
            } else {
                billingUpstream = billingUrl.toString();
            }
            Path tokenFile = home.resolve("billing-token"); // Airlock's credential for the billing API; agents never see it
            Files.deleteIfExists(tokenFile);
            Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tokenFile, billingToken);
            // the web page signs approvers in at the dev issuer (authorization code + PKCE): any name, no password
            issuer.registerClient(WEB_CLIENT, URI.create("http://127.0.0.1:" + admin + "/approvals/callback"));
            DevIssuer dev = issuer;
            issuer.signInUsers(name -> demoToken(dev, name));
            Files.writeString(home.resolve("policy.yaml"), policy(slack));
            Files.writeString(home.resolve("airlock.yaml"), airlockYaml(pgPort, http, pg.getPort(), pool.equals("transaction"),
                    billingUpstream, issuer.issuer(), admin, slack));
            AirlockConfig config = AirlockConfigLoader.load(home.resolve("airlock.yaml")).orElseThrow();
            lineage = LineageStore.open(StoreConfig.of("jdbc:postgresql://localhost:" + pg.getPort() + "/airlock_lineage",
                    "postgres", ""));
            server = AirlockServer.start(config, AirlockServer.Options.defaults().withLineageStore(lineage)
                    .withShutdownGrace(Duration.ofSeconds(2)).withIoThreads(ioThreads == null ? 0 : ioThreads));
            ObjectNode state = JSON.createObjectNode();
            state.put("admin_url", server.adminUrl().toString())
                    .put("token_url", "http://127.0.0.1:" + minter.getAddress().getPort() + "/token")
                    .put("token_secret", secret).put("pg_port", pgPort).put("upstream_port", pg.getPort())
                    .put("http_port", server.port("api")).put("billing_url", billingUpstream)
                    .put("lineage_jdbc_url", "jdbc:postgresql://localhost:" + pg.getPort() + "/airlock_lineage");
            Path stateFile = home.resolve(STATE_FILE);
            Files.deleteIfExists(stateFile);
            Files.createFile(stateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(stateFile, state.toPrettyString());
            String conn = "host=127.0.0.1 port=" + pgPort + " dbname=shop user=agent-1 sslmode=require";
            out.println();
            out.println("Airlock demo is running. Agents connect with any PostgreSQL client:");
            out.println();
            out.println("  PGPASSWORD=$(./airlock demo token agent-1 | tail -1) psql \"" + conn + "\"");
            out.println();
            out.println("  connection string: " + conn);
            out.println("  billing HTTP API:  http://127.0.0.1:" + server.port("api") + "/billing/v1/...  (see below)");
            out.println("  admin / REST API:  " + server.adminUrl() + "  (/healthz, /metrics, /api/v1/approvals)");
            out.println("  approval web page: " + server.adminUrl() + "/approvals  (sign in as alice: any name, no password)");
            if (slack != null) {
                out.println("  slack:             cards in " + slack.channel() + (slack.http()
                        ? "; clicks over http: the app's Request URL must reach " + server.adminUrl() + "/slack/interactivity"
                        : "; clicks over socket mode") + "; approvers " + String.join(", ", slack.users().values().stream()
                        .distinct().sorted().toList()));
            }
            out.println("  policy:            " + home.resolve("policy.yaml") + "  (edit it: reloaded on save)");
            out.println("  lineage store:     psql \"host=localhost port=" + pg.getPort() + " dbname=airlock_lineage user=postgres\"");
            out.println();
            out.println("Try:");
            out.println("  SELECT * FROM customers;                          -- allowed (reads-are-fine)");
            out.println("  UPDATE orders SET status = 'shipped' WHERE id = 1; -- waits for a DBA");
            out.println("  DROP TABLE orders;                                -- denied (no-ddl)");
            out.println("  COPY customers TO STDOUT;                         -- export: waits for a DBA");
            out.println("Then, in another terminal, as a DBA:");
            out.println("  export AIRLOCK_TOKEN=$(./airlock demo token alice | tail -1)");
            out.println("  ./airlock approvals list");
            out.println("  ./airlock approvals approve <id>     (or: deny <id> --reason '...')");
            out.println();
            String api = "http://127.0.0.1:" + server.port("api") + "/billing";
            out.println();
            out.println("The billing API (an HTTP service only Airlock can reach) answers through Airlock at " + api + ":");
            out.println("  export TOKEN=$(./airlock demo token agent-1 | tail -1)");
            out.println("  curl -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/invoices              # allowed (billing-reads-are-fine)");
            out.println("  curl -X DELETE -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/invoices/3  # waits for a DBA");
            out.println("  curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\");
            out.println("       -d '{\"invoice\": 2, \"amount\": 5000}' " + api + "/v1/refunds          # 403 (no-big-refunds-by-agents)");
            out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" -H 'Prefer: respond-async' -H 'Content-Type: application/json' \\");
            out.println("       -d '{\"invoice\": 2, \"amount\": 20}' " + api + "/v1/refunds            # 202: poll the Location with the same token");
            out.println("  curl -N -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/events                # server-sent events, streamed");
            out.println("  curl --http2-prior-knowledge -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/invoices  # the same over HTTP/2");
            out.println();
            out.println("Tokens: names starting with 'agent' get group agents; any other name gets group dba. Ctrl-C stops the demo.");
            out.flush();
            RunCommand.awaitShutdown(closeAll(server, lineage, minter, issuer, pg, billing), out);
            return 0;
        } catch (Exception | Error e) {
            closeAll(server, lineage, minter, issuer, pg, billing).close();
            throw e;
        }
    }

    /** The demo's policy: the dba profile also asks in Slack when the demo has a Slack app. */
    static String policy(DemoSlack slack) {
        return POLICY.formatted(slack == null ? "" : ", " + slack.channelId());
    }

    /** The demo's airlock.yaml. */
    static String airlockYaml(int pgPort, int httpPort, int upstreamPort, boolean pooled, String billingUpstream, String issuer,
                              int adminPort, DemoSlack slack) {
        String approvals = slack != null ? slack.approvalsYaml(adminPort, WEB_CLIENT) : """
                approvals:
                  channels:
                    web:
                      base_url: http://127.0.0.1:%d
                      client_id: %s
                """.formatted(adminPort, WEB_CLIENT);
        return """
                # Written by `airlock demo`; regenerated on every start.
                listeners:
                  - name: pg
                    protocol: postgres
                    port: %d
                    tls: {self_signed: true}
                    plaintext_on_loopback: true   # local tools and bench/pgbench.sh may skip TLS on loopback
                    default_connection: shop
                  - name: api
                    protocol: http
                    port: %d
                connections:
                  - name: shop
                    protocol: postgres
                    listener: pg
                    upstream: localhost:%d
                    database: shop
                    login: postgres
                    labels: {env: demo}
                %s
                  - name: billing
                    protocol: http
                    listener: api
                    upstream: %s
                    route: {path_prefix: /billing}
                    credentials: {bearer_token: "${file:billing-token}"}
                    labels: {env: demo}
                identity:
                  - name: demo
                    issuer: %s
                    audience: airlock
                lineage:
                  store: jdbc
                  jdbc_url: jdbc:postgresql://localhost:%d/airlock_lineage
                  user: postgres
                  spool_dir: spool
                %s
                policy:
                  files: [policy.yaml]
                admin:
                  port: %d
                """.formatted(pgPort, httpPort, upstreamPort, pooled ? "    pool: {mode: transaction, size: 16}" : "",
                billingUpstream, issuer, upstreamPort, approvals, adminPort);
    }

    private static AutoCloseable closeAll(AirlockServer server, LineageStore lineage, HttpServer minter, DevIssuer issuer,
                                          EmbeddedPostgres pg, DemoBilling billing) {
        return () -> {
            for (AutoCloseable c : new AutoCloseable[] {server, billing, lineage, minter == null ? null : () -> minter.stop(0), issuer, pg}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        System.err.println("airlock demo: closing failed: " + e);
                    }
                }
            }
        };
    }

    /** Creates the sample database and the lineage database on first run. */
    static void seed(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            for (String db : List.of("shop", "airlock_lineage")) {
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                    if (!rs.next()) {
                        s.execute("CREATE DATABASE " + db);
                    }
                }
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/shop", "postgres", "");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.customers') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            s.execute("""
                    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL, country text NOT NULL);
                    CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
                                         total numeric(10,2) NOT NULL, status text NOT NULL DEFAULT 'new');
                    INSERT INTO customers VALUES
                      (1, 'Ada Lovelace', 'ada@example.com', 'UK'), (2, 'Grace Hopper', 'grace@example.com', 'US'),
                      (3, 'Edsger Dijkstra', 'edsger@example.com', 'NL'), (4, 'Barbara Liskov', 'barbara@example.com', 'US');
                    INSERT INTO orders VALUES (1, 1, 120.00, 'new'), (2, 2, 75.50, 'paid'), (3, 3, 12.99, 'new'),
                      (4, 4, 300.00, 'shipped'), (5, 1, 42.00, 'paid');
                    """);
        }
    }

    /** The demo's people: names starting with 'agent' are agents, everyone else is a DBA. */
    static DevIssuer.Token demoToken(DevIssuer issuer, String name) {
        String group = name.startsWith("agent") ? "agents" : "dba";
        return issuer.token(name).groups(group).email(name + "@demo.airlock").lifetime(Duration.ofHours(12));
    }

    /** A loopback endpoint that mints demo tokens for callers who know the secret in the state file. */
    static HttpServer startMinter(DevIssuer issuer, String secret) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] expected = secret.getBytes(StandardCharsets.UTF_8);
        http.createContext("/token", ex -> {
            try (ex) {
                String given = ex.getRequestHeaders().getFirst("X-Demo-Secret");
                String query = ex.getRequestURI().getRawQuery();
                String name = query != null && query.startsWith("name=")
                        ? URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8) : "";
                byte[] body;
                int status;
                if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                    status = 403;
                    body = "forbidden\n".getBytes(StandardCharsets.UTF_8);
                } else if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                    status = 400;
                    body = "name: expected 1-64 letters, digits, '.', '_', '@' or '-'\n".getBytes(StandardCharsets.UTF_8);
                } else {
                    status = 200;
                    body = demoToken(issuer, name).mint().getBytes(StandardCharsets.UTF_8);
                }
                ex.sendResponseHeaders(status, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
        });
        http.start();
        return http;
    }

    static int available(int preferred) throws IOException {
        try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }

    /** The running demo's state, or an error telling the user to start it. */
    static ObjectNode state(Path dir) throws IOException {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.exists(f)) {
            throw new CommandLine.ParameterException(new CommandLine(new DemoCommand()),
                    f + " not found: start the demo first with ./airlock demo");
        }
        return (ObjectNode) JSON.readTree(f.toFile());
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Print a fresh token from the running demo (last line). Names starting with 'agent' are agents; others are DBAs.")
    static final class Token implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "The subject, e.g. agent-1 or alice.")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "The demo directory (default: .airlock/demo).")
        Path dir = DEFAULT_DIR;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ObjectNode st = state(dir);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            st.get("token_url").asText() + "?name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)))
                    .header("X-Demo-Secret", st.get("token_secret").asText()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                spec.commandLine().getErr().println("airlock demo token: " + r.statusCode() + " " + r.body().trim());
                return AirlockCommand.EXIT_INVALID;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("# token for " + name + " (group " + (name.startsWith("agent") ? "agents" : "dba")
                    + "), valid 12 h; use it as the PostgreSQL password, as an HTTP bearer token or as AIRLOCK_TOKEN:");
            out.println(r.body());
            out.flush();
            return 0;
        }
    }
}
