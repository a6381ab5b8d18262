package dev.airlock.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.SecretSource;
import dev.airlock.config.yaml.Validated;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AirlockConfigLoaderTest {

    private static final String LISTENERS = """
            listeners:
              - name: pg
                protocol: postgres
                port: 6432
            """;
    private static final String CONNECTIONS = """
            connections:
              - name: orders
                protocol: postgres
                listener: pg
                upstream: db.internal
                login: airlock
            """;
    private static final String IDENTITY = """
            identity:
              - name: corp
                issuer: https://login.example.com
                audience: airlock
            """;
    private static final String REST = """
            lineage:
              store: embedded
            policy:
              files: [policy.yaml]
            """;

    @TempDir
    Path dir;

    private final SecretSource secrets = SecretSource.of(Map.of("DB_PASSWORD", "hunter2", "SLACK_BOT", "xoxb-very-secret"));

    @BeforeEach
    void policyFile() throws IOException {
        Files.writeString(dir.resolve("policy.yaml"), "rules: []\n");
    }

    private Validated<AirlockConfig> load(String yaml) throws IOException {
        Path file = dir.resolve("airlock.yaml");
        Files.writeString(file, yaml);
        return AirlockConfigLoader.load(file, secrets);
    }

    /** Problems as {@code line:column: path: message}, without the (temporary) file name. */
    private List<String> problems(String yaml) throws IOException {
        Validated<AirlockConfig> v = load(yaml);
        assertThat(v.isValid()).as("expected problems").isFalse();
        return v.problems().stream().map(p -> p.toString().substring(p.file().length() + 1)).toList();
    }

    private AirlockConfig valid(String yaml) throws IOException {
        Validated<AirlockConfig> v = load(yaml);
        assertThat(v.problems()).isEmpty();
        return v.orElseThrow();
    }

    // ---------------------------------------------------------------- happy paths

    @Test
    void loadsTheExample() {
        Validated<AirlockConfig> v = AirlockConfigLoader.load(Path.of("../examples/airlock.yaml"), SecretSource.of(Map.of()));
        assertThat(v.problems()).isEmpty();
        AirlockConfig c = v.orElseThrow();
        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("pg", "ssh", "api");
        assertThat(c.listener("pg").orElseThrow().tls()).contains(new TlsConfig.SelfSigned());
        assertThat(c.connection("orders").orElseThrow().credentials().password().orElseThrow().reveal())
                .isEqualTo("dev-only-placeholder-not-a-real-secret");
        assertThat(c.connection("billing-api").orElseThrow().upstream())
                .isEqualTo(new Upstream("billing.internal", 443, Optional.of(URI.create("https://billing.internal/api/"))));
        assertThat(c.channelIds()).containsExactlyInAnyOrder("slack:#db-approvals", "teams:dba", "web", "cli");
        assertThat(c.identityProviders().get(0).algorithms()).containsExactly(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256);
        assertThat(c.identityProviders().get(0).groupsClaim()).isEqualTo("realm_access.roles");
        assertThat(c.policy().files()).containsExactly(Path.of("../examples/policy.yaml").toAbsolutePath().normalize());
        assertThat(c.summary()).isEqualTo("3 listeners, 4 connections, 1 identity provider, 4 approval channels"
                + " (cli, slack:#db-approvals, teams:dba, web), lineage embedded, 1 policy file");
    }

    @Test
    void brokenExampleReportsEveryProblemWithFileLineColumn() {
        Validated<AirlockConfig> v = AirlockConfigLoader.load(Path.of("../examples/broken/airlock.yaml"), SecretSource.of(Map.of()));
        assertThat(v.problems()).extracting(p -> p.line() + ":" + p.column() + " " + p.path()).containsExactly(
                "5:15 listeners[0].protocol",
                "6:11 listeners[0].port",
                "7:5 listeners[1].tls",
                "7:11 listeners[1].name",
                "11:5 listeners[1].colour",
                "15:15 connections[0].listener",
                "17:5 connections[0].databse",
                "20:17 connections[0].credentials.password",
                "23:13 identity[0].issuer",
                "25:18 identity[0].algorithms[0]",
                "26:17 identity[0].clock_skew",
                "30:7 approvals.channels.slack",
                "30:7 approvals.channels.slack",
                "30:7 approvals.channels.slack",
                "32:18 approvals.channels.slack.bot_token",
                "34:10 lineage.store",
                "36:11 policy.files[0]",
                "38:9 admin.port");
        assertThat(v.problems()).allSatisfy(p -> assertThat(p.toString())
                .startsWith(Path.of("../examples/broken/airlock.yaml") + ":" + p.line() + ":" + p.column() + ": "));
    }

    @Test
    void appliesDefaults() throws IOException {
        AirlockConfig c = valid(LISTENERS + CONNECTIONS + IDENTITY + REST);
        ListenerConfig pg = c.listeners().get(0);
        assertThat(pg.bind()).isEqualTo("127.0.0.1");
        assertThat(pg.tls()).isEmpty();
        ConnectionConfig orders = c.connections().get(0);
        assertThat(orders.upstream()).isEqualTo(new Upstream("db.internal", 5432, Optional.empty()));
        assertThat(orders.credentials()).isEqualTo(Credentials.NONE);
        assertThat(orders.labels()).isEmpty();
        IdentityProviderConfig corp = c.identityProviders().get(0);
        assertThat(corp.audiences()).containsExactly("airlock");
        assertThat(corp.groupsClaim()).isEqualTo("groups");
        assertThat(corp.algorithms()).containsExactly(SignatureAlgorithm.RS256);
        assertThat(corp.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.approvals()).isEqualTo(ApprovalsConfig.NONE);
        assertThat(c.channelIds()).containsExactly("cli");
        assertThat(c.lineage()).isEqualTo(new LineageConfig.Embedded(dir.resolve("data/lineage"), dir.resolve("data/spool")));
        assertThat(c.admin()).isEqualTo(AdminConfig.DEFAULT);
        assertThat(c.logging()).isEqualTo(LoggingConfig.DEFAULT);
        assertThat(c.file()).isEqualTo(dir.resolve("airlock.yaml"));
    }

    // ---------------------------------------------------------------- generic rules

    @Test
    void reportsUnknownKeysWithSuggestions() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + REST + "listners: []\nloging: {format: json}\nextra: 1\n")).containsExactly(
                "19:1: listners: unknown key (did you mean 'listeners'?)",
                "20:1: loging: unknown key (did you mean 'logging'?)",
                "21:1: extra: unknown key (expected one of: listeners, connections, identity, approvals, lineage, policy, admin, logging)");
    }

    @Test
    void reportsWrongTypes() throws IOException {
        assertThat(problems("""
                listeners: {name: pg}
                connections: []
                identity:
                  - name: corp
                    issuer: https://login.example.com
                    audience: {a: b}
                lineage: embedded
                policy: {files: policy.yaml}
                logging: {format: xml}
                """)).containsExactly(
                "1:12: listeners: expected a list, got a mapping",
                "2:14: connections: must not be empty",
                "6:15: identity[0].audience: expected a string, got a mapping",
                "7:10: lineage: expected a mapping, got a string",
                "8:17: policy.files: expected a list, got a string",
                "9:19: logging.format: 'xml' is not one of text, json");
    }

    @Test
    void reportsMissingRequiredKeys() throws IOException {
        assertThat(problems("""
                listeners:
                  - protocol: postgres
                connections:
                  - name: orders
                    protocol: postgres
                    listener: pg
                    upstream: db
                """)).containsExactly(
                "1:1: missing required key 'identity'",
                "1:1: missing required key 'lineage'",
                "1:1: missing required key 'policy'",
                "2:5: listeners[0]: missing required key 'name'",
                "2:5: listeners[0]: missing required key 'port'",
                "4:5: connections[0]: missing required key 'login' (the user Airlock logs in as on the postgres upstream)",
                "6:15: connections[0].listener: undefined listener 'pg' (none is defined)");
    }

    @Test
    void reportsDuplicateNames() throws IOException {
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: pg, protocol: postgres, port: 6433}
                connections:
                  - {name: orders, protocol: postgres, listener: pg, upstream: db, login: a}
                  - {name: orders, protocol: postgres, listener: pg, upstream: db, login: a}
                identity:
                  - {name: corp, issuer: "https://a.example.com", audience: x}
                  - {name: corp, issuer: "https://a.example.com", audience: x}
                approvals:
                  directory:
                    - {subject: ann, email: ann@example.com}
                    - {subject: ann, email: Ann@Example.com}
                  channels:
                    slack:
                      app_id: A01
                      team_id: T01
                      mode: http
                      bot_token: t
                      signing_secret: s
                      email_lookup: true
                      channels:
                        - {channel: "#a"}
                        - {channel: "#b", name: "#a"}
                    teams:
                      app_id: 00000000-0000-0000-0000-00000000000a
                      app_password: p
                      tenant: 00000000-0000-0000-0000-00000000000b
                      service_url: "https://s.example.com"
                      email_lookup: true
                      conversations:
                        - {name: t, conversation: c}
                        - {name: t, conversation: d}
                """ + REST)).containsExactly(
                "3:12: listeners[1].name: duplicate listener name 'pg' (first defined at 2:12)",
                "6:12: connections[1].name: duplicate connection name 'orders' (first defined at 5:12)",
                "9:12: identity[1].name: duplicate identity provider name 'corp' (first defined at 8:12)",
                "9:26: identity[1].issuer: duplicate issuer 'https://a.example.com' (first defined at 8:26)",
                "13:17: approvals.directory[1].subject: duplicate approver subject 'ann' (first defined at 12:17)",
                "13:29: approvals.directory[1].email: duplicate approver email 'ann@example.com' (first defined at 12:29)",
                "24:33: approvals.channels.slack.channels[1].name: duplicate approval channel id 'slack:#a' (first defined at 23:21)",
                "33:18: approvals.channels.teams.conversations[1].name: duplicate approval channel id 'teams:t' (first defined at 32:18)");
    }

    @Test
    void reportsUndefinedReferences() throws IOException {
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432, default_connection: ordrs}
                  - {name: my, protocol: mysql, port: 3306, default_connection: orders}
                connections:
                  - {name: orders, protocol: postgres, listener: pg, upstream: db, login: a}
                  - {name: shop, protocol: postgres, listener: my, upstream: db, login: a}
                  - {name: misc, protocol: postgres, listener: pgg, upstream: db, login: a}
                """ + IDENTITY + """
                approvals:
                  channels:
                    web: {base_url: "https://airlock.example.com", identity_provider: okta}
                """ + REST)).containsExactly(
                "2:68: listeners[0].default_connection: undefined connection 'ordrs' (did you mean 'orders'?)",
                "3:65: listeners[1].default_connection: connection 'orders' is reached through listener 'pg', not 'my'",
                "6:48: connections[1].listener: listener 'my' speaks mysql, but this connection is postgres",
                "7:48: connections[2].listener: undefined listener 'pgg' (did you mean 'pg'?)",
                "14:71: approvals.channels.web.identity_provider: undefined identity provider 'okta' (defined: corp)");
    }

    @Test
    void reportsBadDurations() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + """
                identity:
                  - {name: a, issuer: "https://a.example.com", audience: x, clock_skew: 30}
                  - {name: b, issuer: "https://b.example.com", audience: x, clock_skew: 6m}
                  - {name: c, issuer: "https://c.example.com", audience: x, clock_skew: 1x}
                """ + REST)).containsExactly(
                "12:73: identity[0].clock_skew: '30' is not a duration (expected: a whole number with a unit ms, s, m, h or d, e.g. 500ms, 30s, 15m, 2h, 1d)",
                "13:73: identity[1].clock_skew: '6m' is out of range (expected: 0s..5m)",
                "14:73: identity[2].clock_skew: '1x' is not a duration (expected: a whole number with a unit ms, s, m, h or d, e.g. 500ms, 30s, 15m, 2h, 1d)");
    }

    @Test
    void reportsBadPortsAndClashes() throws IOException {
        assertThat(problems("""
                listeners:
                  - {name: a, protocol: postgres, port: 0}
                  - {name: b, protocol: postgres, port: 65536}
                  - {name: c, protocol: postgres, port: 6432}
                  - {name: d, protocol: mysql, port: 6432}
                  - {name: e, protocol: http, port: 9090, bind: "0.0.0.0", tls: {self_signed: true}}
                  - {name: f, protocol: ssh, port: 7000, bind: "127.0.0.2"}
                  - {name: g, protocol: ssh, port: 7000, bind: "127.0.0.3"}
                connections:
                  - {name: orders, protocol: postgres, listener: c, upstream: "db:99999", login: a}
                """ + IDENTITY + REST)).containsExactly(
                "2:41: listeners[0].port: 0 is not a valid port (expected: 1..65535)",
                "3:41: listeners[1].port: 65536 is not a valid port (expected: 1..65535)",
                "5:38: listeners[3].port: port 6432 is already used by listeners[2] (c)",
                "6:37: listeners[4].port: port 9090 is already used by the admin listener (default 127.0.0.1:9090; set admin.port)",
                "10:63: connections[0].upstream: 'db:99999' is not host[:port] (e.g. db.internal:5432)");
    }

    @Test
    void requiresTlsOffLoopbackAndChecksTlsFiles() throws IOException {
        Files.writeString(dir.resolve("tls.crt"), "cert");
        Files.writeString(dir.resolve("tls.key"), "key");
        assertThat(problems("""
                listeners:
                  - {name: a, protocol: postgres, port: 1001, bind: "0.0.0.0"}
                  - {name: b, protocol: postgres, port: 1002, bind: "10.0.0.1", tls: {self_signed: true, cert: tls.crt}}
                  - {name: c, protocol: postgres, port: 1003, bind: "::", tls: {cert: tls.crt}}
                  - {name: d, protocol: postgres, port: 1004, tls: {cert: missing.crt, key: tls.key}}
                  - {name: e, protocol: postgres, port: 1005, bind: "not an address"}
                """ + CONNECTIONS.replace("listener: pg", "listener: a") + IDENTITY + REST)).containsExactly(
                "2:5: listeners[0].tls: required when bind is not a loopback address (agents send tokens as passwords);"
                        + " use tls: {self_signed: true} for development",
                "3:70: listeners[1].tls: self_signed: true cannot be combined with cert and key",
                "4:64: listeners[2].tls: missing required key 'key' (or set self_signed: true for development)",
                "5:59: listeners[3].tls.cert: file " + dir.resolve("missing.crt") + " does not exist",
                "6:53: listeners[4].bind: 'not an address' is not an IP address or host name");
        AirlockConfig c = valid("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432, bind: "0.0.0.0", tls: {cert: tls.crt, key: tls.key}}
                  - {name: local, protocol: postgres, port: 6433, bind: "::1"}
                """ + CONNECTIONS + IDENTITY + REST);
        assertThat(c.listeners().get(0).tls()).contains(new TlsConfig.Files(dir.resolve("tls.crt"), dir.resolve("tls.key")));
    }

    @Test
    void sshListenersUseAHostKeyNotTls() throws IOException {
        Files.writeString(dir.resolve("host_ed25519"), "key");
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432, host_key: host_ed25519}
                  - {name: ssh, protocol: ssh, port: 2222, bind: "0.0.0.0", tls: {self_signed: true}}
                """ + CONNECTIONS + IDENTITY + REST)).containsExactly(
                "2:58: listeners[0].host_key: only used by ssh listeners (postgres listeners use tls)",
                "3:66: listeners[1].tls: not used by ssh listeners (SSH encrypts its own transport; see host_key)");
        AirlockConfig c = valid("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: ssh, protocol: ssh, port: 2222, bind: "0.0.0.0", host_key: host_ed25519}
                """ + CONNECTIONS + IDENTITY + REST);
        assertThat(c.listener("ssh").orElseThrow().hostKey()).contains(dir.resolve("host_ed25519"));
    }

    @Test
    void parsesUpstreamsPerProtocol() throws IOException {
        AirlockConfig c = valid("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: my, protocol: mysql, port: 3307}
                  - {name: ssh, protocol: ssh, port: 2222}
                  - {name: web, protocol: http, port: 8080}
                connections:
                  - {name: a, protocol: postgres, listener: pg, upstream: "[::1]:5433", login: x}
                  - {name: b, protocol: mysql, listener: my, upstream: "10.1.2.3", login: x}
                  - {name: c, protocol: ssh, listener: ssh, upstream: "bastion", login: x}
                  - {name: d, protocol: http, listener: web, upstream: "http://api.internal:8080/v1"}
                """ + IDENTITY + REST);
        assertThat(c.connections()).extracting(ConnectionConfig::upstream).containsExactly(
                new Upstream("::1", 5433, Optional.empty()),
                new Upstream("10.1.2.3", 3306, Optional.empty()),
                new Upstream("bastion", 22, Optional.empty()),
                new Upstream("api.internal", 8080, Optional.of(URI.create("http://api.internal:8080/v1"))));
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: web, protocol: http, port: 8080}
                connections:
                  - {name: a, protocol: postgres, listener: pg, upstream: "postgres://db", login: x}
                  - {name: b, protocol: postgres, listener: pg, upstream: "[::1", login: x}
                  - {name: c, protocol: http, listener: web, upstream: "api.internal"}
                """ + IDENTITY + REST)).containsExactly(
                "5:59: connections[0].upstream: 'postgres://db' is not host[:port] (e.g. db.internal:5432)",
                "6:59: connections[1].upstream: '[::1' is not host[:port] (e.g. db.internal:5432)",
                "7:56: connections[2].upstream: 'api.internal' is not an absolute http(s) URL");
    }

    @Test
    void credentialsMustSuitTheProtocol() throws IOException {
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: web, protocol: http, port: 8080}
                connections:
                  - name: a
                    protocol: postgres
                    listener: pg
                    upstream: db
                    login: x
                    database: orders
                    credentials: {private_key: k, bearer_token: t, headers: {X-Key: k}}
                  - name: b
                    protocol: http
                    listener: web
                    upstream: "https://api.internal"
                    login: x
                    database: y
                    credentials: {password: p}
                """ + IDENTITY + REST)).containsExactly(
                "11:32: connections[0].credentials.private_key: only used by ssh connections",
                "11:49: connections[0].credentials.bearer_token: only used by http connections",
                "11:61: connections[0].credentials.headers: only used by http connections",
                "16:12: connections[1].login: not used by http connections (use credentials.bearer_token, credentials.basic or credentials.headers)",
                "17:15: connections[1].database: not used by http connections",
                "18:29: connections[1].credentials.password: not used by http connections (use bearer_token, basic or headers)");
    }

    @Test
    void readsHttpRoutesTlsLimitsAndCredentials() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        AirlockConfig c = valid("""
                listeners:
                  - {name: web, protocol: http, port: 8080, default_connection: catch-all}
                connections:
                  - name: billing
                    protocol: http
                    listener: web
                    upstream: "https://billing.internal/api/"
                    route: {hosts: [Billing.Example.com, "*.billing.example.com"], path_prefix: /billing}
                    upstream_tls: {ca: ca.pem}
                    credentials: {basic: {user: airlock, password: "${DB_PASSWORD}"}, headers: {X-Api-Key: k}}
                    http: {max_buffered_body: 256KiB, connect_timeout: 2s, response_timeout: 5m, max_idle_connections: 4}
                  - {name: catch-all, protocol: http, listener: web, upstream: "http://127.0.0.1:9000",
                     credentials: {bearer_token: t}}
                """ + IDENTITY + REST);
        HttpSettings h = c.connection("billing").orElseThrow().http().orElseThrow();
        assertThat(h.route().hosts()).containsExactly("billing.example.com", "*.billing.example.com");
        assertThat(h.route().pathPrefix()).isEqualTo("/billing");
        assertThat(h.upstreamTls().ca()).contains(dir.resolve("ca.pem"));
        assertThat(h.maxBufferedBody()).isEqualTo(256 << 10);
        assertThat(h.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.responseTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(h.maxIdleConnections()).isEqualTo(4);
        Credentials cred = c.connection("billing").orElseThrow().credentials();
        assertThat(cred.basic().orElseThrow().user()).isEqualTo("airlock");
        assertThat(cred.basic().orElseThrow().password().reveal()).isEqualTo("hunter2");
        assertThat(cred.toString()).doesNotContain("hunter2");
        HttpSettings any = c.connection("catch-all").orElseThrow().http().orElseThrow();
        assertThat(any.route()).isEqualTo(HttpSettings.Route.ANY);
        assertThat(any.maxBufferedBody()).isEqualTo(HttpSettings.DEFAULT.maxBufferedBody());
        assertThat(c.connection("catch-all").orElseThrow().credentials().bearerToken()).isPresent();
    }

    @Test
    void rejectsBadHttpSettings() throws IOException {
        assertThat(problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: web, protocol: http, port: 8080}
                connections:
                  - {name: a, protocol: http, listener: web, upstream: "http://a.internal", route: {path_prefix: /v1}}
                  - {name: b, protocol: http, listener: web, upstream: "http://b.internal/?x=1", route: {path_prefix: /v1}}
                  - {name: c, protocol: http, listener: web, upstream: "http://c.internal", upstream_tls: {verify: false},
                     route: {hosts: ["bad host"], path_prefix: "/v1/../x"}, http: {max_buffered_body: 1GiB, retries: 3}}
                  - {name: d, protocol: http, listener: web, upstream: "https://d.internal",
                     credentials: {bearer_token: t, basic: {user: "a:b", password: p}, headers: {Host: x, "X Y": z, Authorization: q}}}
                  - {name: e, protocol: postgres, listener: pg, upstream: db, login: x, route: {path_prefix: /x},
                     credentials: {basic: {user: u, password: p}}}
                """ + IDENTITY + REST)).containsExactly(
                "6:56: connections[1].upstream: 'http://b.internal/?x=1' must not have a query or fragment (expected: scheme://host[:port][/base/path])",
                "6:89: connections[1].route: same route as connection 'a' (any host, path prefix /v1); give one of them other hosts or another path_prefix",
                "7:91: connections[2].upstream_tls: only used with an https upstream (upstream is http://c.internal)",
                "8:22: connections[2].route.hosts[0]: 'bad host' is not a host name or *.domain pattern",
                "8:48: connections[2].route.path_prefix: '/v1/../x' is not a path prefix (expected: '/' or /a/b: no trailing '/', no '.' or '..' segments, no '*', '?', '%' or '#')",
                "8:87: connections[2].http.max_buffered_body: '1GiB' is not a size (expected: bytes, or a number with KiB or MiB, e.g. 64KiB)",
                "8:93: connections[2].http.retries: unknown key (expected one of: max_buffered_body, connect_timeout, response_timeout, max_idle_connections)",
                "10:44: connections[3].credentials.basic: bearer_token and basic both set the Authorization header; keep one",
                "10:51: connections[3].credentials.basic.user: must not contain ':' (RFC 7617)",
                "10:88: connections[3].credentials.headers.Host: 'Host' is set by Airlock itself (framing, hop-by-hop, routing or forwarding header)",
                "10:98: connections[3].credentials.headers[\"X Y\"]: 'X Y' is not a valid header name",
                "10:116: connections[3].credentials.headers.Authorization: 'Authorization' conflicts with basic",
                "11:80: connections[4].route: only used by http connections",
                "12:27: connections[4].credentials.basic: only used by http connections");
    }

    @Test
    void interpolatesSecretsAndNeverShowsThem() throws IOException {
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN KEY-----\nsecret-key-material\n");
        AirlockConfig c = valid("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                  - {name: ssh, protocol: ssh, port: 2222}
                connections:
                  - {name: orders, protocol: postgres, listener: pg, upstream: db, login: a, credentials: {password: "${DB_PASSWORD}"}}
                  - {name: box, protocol: ssh, listener: ssh, upstream: box, login: a, credentials: {private_key: "${file:key.pem}"}}
                """ + IDENTITY + """
                approvals:
                  directory: [{subject: ann}]
                  channels:
                    slack:
                      app_id: A01
                      team_id: T01
                      bot_token: "${SLACK_BOT}"
                      app_token: literal-app-token
                      users: {U01: ann}
                      channels: [{channel: "#a"}]
                lineage:
                  store: jdbc
                  jdbc_url: jdbc:postgresql://db/lineage
                  user: airlock
                  password: ${DB_PASSWORD}
                policy:
                  files: [policy.yaml]
                """);
        assertThat(c.connections().get(0).credentials().password().orElseThrow().reveal()).isEqualTo("hunter2");
        assertThat(c.connections().get(1).credentials().privateKey().orElseThrow().reveal())
                .isEqualTo("-----BEGIN KEY-----\nsecret-key-material");
        assertThat(c.approvals().slack().orElseThrow().botToken().reveal()).isEqualTo("xoxb-very-secret");
        assertThat(c.lineage()).isInstanceOfSatisfying(LineageConfig.Jdbc.class,
                j -> assertThat(j.password().orElseThrow().reveal()).isEqualTo("hunter2"));
        assertThat(c.toString())
                .contains("Secret[${DB_PASSWORD}]", "Secret[${file:key.pem}]", "Secret[${SLACK_BOT}]", "Secret[literal]")
                .doesNotContain("hunter2", "secret-key-material", "xoxb-very-secret", "literal-app-token");
    }

    @Test
    void expandsEnvironmentReferencesInAddresses() throws IOException {
        AirlockConfig c = AirlockConfigLoader.load(write(LISTENERS + """
                connections:
                  - {name: orders, protocol: postgres, listener: pg, upstream: "${DB_HOST}:5433", login: "${DB_USER}"}
                identity:
                  - {name: corp, issuer: "https://${IDP_HOST}/realms/corp", audience: airlock}
                lineage: {store: jdbc, jdbc_url: "${LINEAGE_URL}", user: airlock}
                policy: {files: [policy.yaml]}
                """), SecretSource.of(Map.of("DB_HOST", "db.internal", "DB_USER", "agent_proxy",
                "IDP_HOST", "login.example.com", "LINEAGE_URL", "jdbc:postgresql://lineage/airlock"))).orElseThrow();
        assertThat(c.connections().get(0).upstream()).isEqualTo(new Upstream("db.internal", 5433, Optional.empty()));
        assertThat(c.connections().get(0).login()).contains("agent_proxy");
        assertThat(c.identityProviders().get(0).issuer()).isEqualTo(URI.create("https://login.example.com/realms/corp"));
        assertThat(((LineageConfig.Jdbc) c.lineage()).jdbcUrl()).isEqualTo("jdbc:postgresql://lineage/airlock");
        assertThat(problems(LISTENERS + """
                connections:
                  - {name: orders, protocol: postgres, listener: pg, upstream: "${DB_HOST_UNSET}", login: a}
                """ + IDENTITY + REST)).containsExactly(
                "6:64: connections[0].upstream: environment variable DB_HOST_UNSET is not set");
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("airlock.yaml"), yaml);
    }

    @Test
    void namesTheMissingVariableOrFileWithoutShowingValues() throws IOException {
        List<String> problems = problems("""
                listeners:
                  - {name: pg, protocol: postgres, port: 6432}
                connections:
                  - {name: a, protocol: postgres, listener: pg, upstream: db, login: a, credentials: {password: "${NOPE}"}}
                  - {name: b, protocol: postgres, listener: pg, upstream: db, login: a, credentials: {password: "${file:nope.txt}"}}
                  - {name: c, protocol: postgres, listener: pg, upstream: db, login: a, credentials: {password: "hunter2-${DB_PASSWORD"}}
                """ + IDENTITY + REST);
        assertThat(problems).containsExactly(
                "4:97: connections[0].credentials.password: environment variable NOPE is not set",
                "5:97: connections[1].credentials.password: secret file " + dir.resolve("nope.txt") + " does not exist",
                "6:97: connections[2].credentials.password: unclosed '${' (expected: ${NAME} or ${file:/path}; write $${ for a literal ${)");
        assertThat(String.join("\n", problems)).doesNotContain("hunter2");
    }

    @Test
    void validatesLineageStores() throws IOException {
        String head = LISTENERS + CONNECTIONS + IDENTITY + "policy: {files: [policy.yaml]}\n";
        assertThat(problems(head + """
                lineage:
                  store: jdbc
                  jdbc_url: "jdbc:postgresql://db/lineage?user=a&password=hunter2"
                  data_dir: x
                """)).containsExactly(
                "17:3: lineage: missing required key 'user'",
                "18:13: lineage.jdbc_url: must not contain a password; put it in 'password' (a secret such as ${LINEAGE_PASSWORD})",
                "19:13: lineage.data_dir: only used with store: embedded");
        assertThat(problems(head + """
                lineage: {store: embedded, jdbc_url: "jdbc:mysql://x", user: u}
                """)).containsExactly(
                "16:38: lineage.jdbc_url: only used with store: jdbc",
                "16:62: lineage.user: only used with store: jdbc");
        assertThat(valid(head + "lineage: {store: jdbc, jdbc_url: \"jdbc:postgresql://db:5432/lineage\", user: u, spool_dir: /var/spool/airlock}\n")
                .lineage()).isEqualTo(new LineageConfig.Jdbc("jdbc:postgresql://db:5432/lineage", "u", Optional.empty(),
                Path.of("/var/spool/airlock")));
    }

    @Test
    void readsAndValidatesOpenLineageExport() throws IOException {
        String head = LISTENERS + CONNECTIONS + IDENTITY + "policy: {files: [policy.yaml]}\n";
        assertThat(valid(head + """
                lineage:
                  store: embedded
                  openlineage: {transport: http, url: "http://marquez:5000", namespace: shop, interval: 2s}
                """).lineage().openLineage()).contains(new OpenLineageConfig(OpenLineageConfig.Transport.HTTP,
                Optional.of(java.net.URI.create("http://marquez:5000")), Optional.empty(), "shop", java.time.Duration.ofSeconds(2)));
        assertThat(valid(head + "lineage: {store: embedded, openlineage: {transport: file, file: out/ol.ndjson}}\n")
                .lineage().openLineage()).contains(new OpenLineageConfig(OpenLineageConfig.Transport.FILE, Optional.empty(),
                Optional.of(dir.resolve("out/ol.ndjson")), "airlock", java.time.Duration.ofSeconds(5)));
        assertThat(valid(head + "lineage: {store: embedded}\n").lineage().openLineage()).isEmpty();
        assertThat(problems(head + """
                lineage:
                  store: embedded
                  openlineage: {transport: http, file: x}
                """)).containsExactly(
                "18:16: lineage.openlineage: missing required key 'url' (transport is http)",
                "18:40: lineage.openlineage.file: only used with transport: file");
        assertThat(problems(head + "lineage: {store: embedded, openlineage: {transport: kafka}}\n")).containsExactly(
                "16:53: lineage.openlineage.transport: 'kafka' is not one of http, file, console");
    }

    @Test
    void validatesApprovalChannels() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  channels:
                    slack:
                      - {channel: "#a", mode: http, bot_token: t}
                      - {channel: "C0123 456", bot_token: t, app_token: a}
                    teams:
                      - {name: dba, app_id: a}
                    web: {}
                    email: {}
                """ + REST)).containsExactly(
                "18:7: approvals.channels.slack: expected a mapping (one Slack app, with its Slack channels under 'channels:'),"
                        + " got a list; see examples/airlock.yaml",
                "21:7: approvals.channels.teams: expected a mapping (one Teams bot, with its conversations under 'conversations:'),"
                        + " got a list; see examples/airlock.yaml",
                "22:10: approvals.channels.web: missing required key 'base_url'",
                "23:5: approvals.channels.email: unknown key (expected one of: slack, teams, web)");
    }

    @Test
    void loadsASlackAppWithItsDirectory() throws IOException {
        AirlockConfig c = valid(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  directory:
                    - {subject: ann, email: ann@example.com, groups: [dba, oncall]}
                    - {subject: ben}
                  channels:
                    slack:
                      app_id: A0123ABCDEF
                      team_id: T0123ABCDEF
                      mode: http
                      bot_token: xoxb-1
                      signing_secret: "${SLACK_BOT}"
                      api_base_url: http://127.0.0.1:9999/api
                      users: {U0ANN: ann, W0BEN: ben}
                      email_lookup: true
                      channels:
                        - channel: "#db-approvals"
                        - {name: payments, channel: C0PAYMENTS}
                """ + REST);
        SlackConfig slack = c.approvals().slack().orElseThrow();
        assertThat(slack.appId()).isEqualTo("A0123ABCDEF");
        assertThat(slack.teamId()).isEqualTo("T0123ABCDEF");
        assertThat(slack.mode()).isEqualTo(SlackConfig.Mode.HTTP);
        assertThat(slack.appToken()).isEmpty();
        assertThat(slack.signingSecret().orElseThrow().reveal()).isEqualTo("xoxb-very-secret");
        assertThat(slack.apiBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:9999/api"));
        assertThat(slack.users()).containsExactlyInAnyOrderEntriesOf(Map.of("U0ANN", "ann", "W0BEN", "ben"));
        assertThat(slack.emailLookup()).isTrue();
        assertThat(slack.channels()).containsExactly(new SlackConfig.Channel("#db-approvals", "#db-approvals"),
                new SlackConfig.Channel("payments", "C0PAYMENTS"));
        assertThat(c.channelIds()).containsExactlyInAnyOrder("slack:#db-approvals", "slack:payments", "cli");
        assertThat(c.approvals().directory()).containsExactly(
                new ApproverConfig("ann", Optional.of("ann@example.com"), Set.of("dba", "oncall")),
                new ApproverConfig("ben", Optional.empty(), Set.of()));
        // socket mode is the default
        assertThat(valid(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  directory: [{subject: ann, email: ann@example.com}]
                  channels:
                    slack: {app_id: A01, team_id: E01, bot_token: b, app_token: a, email_lookup: true, channels: [{channel: C01}]}
                """ + REST).approvals().slack().orElseThrow().mode()).isEqualTo(SlackConfig.Mode.SOCKET);
    }

    @Test
    void loadsATeamsBot() throws IOException {
        AirlockConfig c = valid(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  directory:
                    - {subject: ann, email: ann@example.com, groups: [dba]}
                  channels:
                    teams:
                      app_id: 11111111-2222-3333-4444-555555555555
                      app_password: "${SLACK_BOT}"
                      tenant: AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee
                      service_url: https://smba.trafficmanager.net/emea/
                      users: {AAAAAAAA-0000-0000-0000-000000000001: ann}
                      conversations:
                        - {name: dba, conversation: "19:dba@thread.tacv2"}
                        - {name: pay, conversation: "19:pay@thread.tacv2"}
                      openid_metadata_url: http://127.0.0.1:9/v1/.well-known/openidconfiguration
                """ + REST);
        TeamsConfig t = c.approvals().teams().orElseThrow();
        assertThat(t.appId()).isEqualTo("11111111-2222-3333-4444-555555555555");
        assertThat(t.appPassword().reveal()).isEqualTo("xoxb-very-secret");
        assertThat(t.serviceUrl()).isEqualTo(URI.create("https://smba.trafficmanager.net/emea/"));
        // object ids are GUIDs: compared without case
        assertThat(t.users()).containsExactlyEntriesOf(Map.of("aaaaaaaa-0000-0000-0000-000000000001", "ann"));
        assertThat(t.emailLookup()).isFalse();
        assertThat(t.loginBaseUrl()).isEqualTo(TeamsConfig.DEFAULT_LOGIN_BASE_URL);
        assertThat(t.openIdMetadataUrl()).isEqualTo(URI.create("http://127.0.0.1:9/v1/.well-known/openidconfiguration"));
        assertThat(c.channelIds()).containsExactlyInAnyOrder("teams:dba", "teams:pay", "cli");
    }

    @Test
    void validatesTheTeamsBot() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  directory: [{subject: ann}]
                  channels:
                    teams:
                      app_id: my-bot
                      app_password: p
                      tenant: contoso.onmicrosoft.com
                      service_url: http://smba.trafficmanager.net/emea/
                      users: {29:1abc: ann, 00000000-0000-0000-0000-000000000001: bob}
                      email_lookup: true
                      conversations: []
                """ + REST)).containsExactly(
                "19:15: approvals.channels.teams.app_id: 'my-bot' is not a Microsoft app id (expected: a GUID, e.g."
                        + " 00000000-0000-0000-0000-000000000000; see the Azure Bot's Configuration page)",
                "21:15: approvals.channels.teams.tenant: 'contoso.onmicrosoft.com' is not an Entra tenant id (expected: a GUID;"
                        + " a single-tenant bot's Directory (tenant) ID)",
                "22:20: approvals.channels.teams.service_url: 'http://smba.trafficmanager.net/emea/' must use https (plain http"
                        + " is only accepted for loopback hosts)",
                "23:15: approvals.channels.teams.users.29:1abc: '29:1abc' is not an Entra object id (expected: a GUID; the"
                        + " user's Object ID in Entra ID)",
                "23:67: approvals.channels.teams.users.00000000-0000-0000-0000-000000000001: undefined approvals.directory subject 'bob' (defined: ann)",
                "24:21: approvals.channels.teams.email_lookup: no approvals.directory entry has an email to look up",
                "25:22: approvals.channels.teams.conversations: must name at least one Teams conversation");
    }

    @Test
    void validatesTheSlackApp() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  directory: [{subject: ann, email: not-an-email}]
                  channels:
                    slack:
                      app_id: a0123
                      team_id: X0123
                      mode: carrier-pigeon
                      bot_token: t
                      api_base_url: "slack.com"
                      users: {U0ANN: ann, U0BOB: bob, alice: ann}
                      channels:
                        - {channel: "C0123 456"}
                """ + REST)).containsExactly(
                "16:37: approvals.directory[0].email: 'not-an-email' is not an email address (expected: name@domain)",
                "19:15: approvals.channels.slack.app_id: 'a0123' is not a Slack app id (expected: 'A' and capital letters or"
                        + " digits, e.g. A0123ABCDEF; see the app's Basic Information)",
                "20:16: approvals.channels.slack.team_id: 'X0123' is not a Slack workspace id (expected: 'T' (or 'E' for an"
                        + " Enterprise Grid org) and capital letters or digits, e.g. T0123ABCDEF)",
                "21:13: approvals.channels.slack.mode: 'carrier-pigeon' is not one of socket, http",
                "23:21: approvals.channels.slack.api_base_url: 'slack.com' is not an absolute http(s) URL",
                "24:34: approvals.channels.slack.users.U0BOB: undefined approvals.directory subject 'bob' (defined: ann)",
                "24:39: approvals.channels.slack.users.alice: 'alice' is not a Slack user id (expected: 'U' or 'W' and capital"
                        + " letters or digits, e.g. U0123ABCDEF; see the person's Slack profile, ⋮ → Copy member ID)",
                "26:11: approvals.channels.slack.channels[0].name: required because channel 'C0123 456' is not a valid name;"
                        + " a valid name (expected: letters, digits, '.', '_', '-', starting with a letter or digit)");
        // each mode's own secret, nothing of the other's; somebody must be able to vote; somewhere to post
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  channels:
                    slack:
                      app_id: A01
                      team_id: T01
                      bot_token: t
                      signing_secret: s
                      email_lookup: true
                      api_base_url: http://slack.internal/api
                      channels: []
                """ + REST)).containsExactly(
                "18:7: approvals.channels.slack: missing required key 'app_token' (mode is socket; or set mode: http with signing_secret)",
                "21:23: approvals.channels.slack.signing_secret: only used with mode: http (socket mode needs app_token)",
                "22:21: approvals.channels.slack.email_lookup: no approvals.directory entry has an email to look up",
                "23:21: approvals.channels.slack.api_base_url: 'http://slack.internal/api' must use https"
                        + " (plain http is only accepted for loopback hosts)",
                "24:17: approvals.channels.slack.channels: must name at least one Slack channel");
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                approvals:
                  channels:
                    slack: {app_id: A01, team_id: T01, mode: http, bot_token: t, app_token: a, channels: [{channel: "#a"}]}
                """ + REST)).containsExactly(
                "17:12: approvals.channels.slack: missing required key 'signing_secret' (mode is http)",
                "17:12: approvals.channels.slack: no Slack user could vote: map 'users' (Slack user id: approvals.directory"
                        + " subject) or set email_lookup: true",
                "17:77: approvals.channels.slack.app_token: only used with mode: socket (http mode needs signing_secret)");
    }

    @Test
    void validatesIdentityProviders() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + """
                identity:
                  - {name: a, issuer: "http://localhost:8080/realms/test", audience: [x, y], jwks_url: "http://idp.example.com/jwks"}
                  - {name: b, issuer: "https://b.example.com", audience: [], algorithms: [none], groups_claim: "a..b"}
                """ + REST)).containsExactly(
                "12:88: identity[0].jwks_url: 'http://idp.example.com/jwks' must use https (plain http is only accepted for loopback hosts)",
                "13:58: identity[1].audience: must name at least one audience",
                "13:75: identity[1].algorithms[0]: 'none' is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA",
                "13:96: identity[1].groups_claim: 'a..b' is not a claim path (expected: names separated by '.', e.g. realm_access.roles)");
    }

    @Test
    void validatesPolicyFiles() throws IOException {
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + """
                lineage: {store: embedded}
                policy: {files: [policy.yaml, ./policy.yaml, gone.yaml]}
                """)).containsExactly(
                "16:31: policy.files[1]: duplicate policy file '" + dir.resolve("policy.yaml") + "' (first defined at 16:18)",
                "16:46: policy.files[2]: file " + dir.resolve("gone.yaml") + " does not exist");
        assertThat(problems(LISTENERS + CONNECTIONS + IDENTITY + "lineage: {store: embedded}\npolicy: {files: []}\n"))
                .containsExactly("16:17: policy.files: must not be empty");
    }

    @Test
    void reportsSyntaxErrorsAndMissingFiles() throws IOException {
        assertThat(problems("listeners:\n  - name: [unclosed\n")).singleElement().asString()
                .isEqualTo("3:1: invalid YAML: expected ',' or ']', but got <stream end> (while parsing a flow sequence)");
        Validated<AirlockConfig> missing = AirlockConfigLoader.load(dir.resolve("nope.yaml"));
        assertThat(missing.problems()).extracting(ConfigProblem::toString).containsExactly(dir.resolve("nope.yaml") + ":1:1: file not found");
    }

    @Test
    void readsUpstreamTlsPoolingAndListenerWaitSettings() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        AirlockConfig c = valid("""
                listeners:
                  - name: pg
                    protocol: postgres
                    port: 6432
                    tls: {self_signed: true}
                    plaintext_on_loopback: true
                    max_wait_in_transaction: 90s
                connections:
                  - name: orders
                    protocol: postgres
                    listener: pg
                    upstream: db.internal
                    login: airlock
                    tls: {mode: verify-full, root_cert: ca.pem}
                    pool: {mode: transaction, size: 8, idle_timeout: 2m}
                    max_sessions_per_agent: 20
                """ + IDENTITY + REST);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.plaintextOnLoopback()).isTrue();
        assertThat(l.maxWaitInTransaction()).isEqualTo(java.time.Duration.ofSeconds(90));
        ConnectionConfig conn = c.connections().get(0);
        assertThat(conn.tls().mode()).isEqualTo(UpstreamTls.Mode.VERIFY_FULL);
        assertThat(conn.tls().rootCert()).contains(dir.resolve("ca.pem").toAbsolutePath().normalize());
        assertThat(conn.pool()).contains(new UpstreamPool(8, java.time.Duration.ofMinutes(2)));
        assertThat(conn.maxSessionsPerAgent()).isEqualTo(20);
        AirlockConfig defaults = valid(LISTENERS + CONNECTIONS + IDENTITY + REST);
        assertThat(defaults.connections().get(0).tls()).isEqualTo(UpstreamTls.DISABLE);
        assertThat(defaults.connections().get(0).pool()).isEmpty();
        assertThat(defaults.connections().get(0).maxSessionsPerAgent()).as("no limit").isZero();
        assertThat(defaults.listeners().get(0).maxWaitInTransaction()).isEqualTo(ListenerConfig.DEFAULT_MAX_WAIT_IN_TRANSACTION);
    }

    @Test
    void reportsBadUpstreamTlsAndPoolSettings() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "x");
        assertThat(problems(LISTENERS + """
                connections:
                  - name: orders
                    protocol: postgres
                    listener: pg
                    upstream: db.internal
                    login: airlock
                    tls: {mode: prefer, root_cert: ca.pem}
                    pool: {mode: session, size: 0}
                    max_sessions_per_agent: -1
                """ + IDENTITY + REST)).anySatisfy(p -> assertThat(p).contains("connections[0].tls.mode").contains("prefer"))
                .anySatisfy(p -> assertThat(p).contains("connections[0].max_sessions_per_agent").contains("-1"))
                .anySatisfy(p -> assertThat(p).contains("pool.mode").contains("expected: transaction"))
                .anySatisfy(p -> assertThat(p).contains("pool.size").contains("expected: 1-10000"));
        assertThat(problems(LISTENERS.replace("port: 6432", "port: 6432\n    plaintext_on_loopback: true") + CONNECTIONS.replace(
                "login: airlock", "login: airlock\n    tls: {mode: require, root_cert: ca.pem}") + IDENTITY + REST))
                .anySatisfy(p -> assertThat(p).contains("plaintext_on_loopback").contains("only used with tls"))
                .anySatisfy(p -> assertThat(p).contains("root_cert").contains("only used with mode: verify-full"));
    }

    @Test
    void bindsListenerLimitsAndKeepsProtocolDefaultsForTheRest() throws IOException {
        AirlockConfig c = valid("""
                listeners:
                  - name: pg
                    protocol: postgres
                    port: 6432
                    limits: {idle_timeout: 15m, startup_timeout: 5s, max_message_size: 8MiB, max_connections: 500}
                  - name: api
                    protocol: http
                    port: 8080
                    limits: {idle_timeout: 0s, max_request_line: 4KiB, max_header_size: 32KiB, max_concurrent_streams: 0, header_timeout: 10s,
                              max_async_requests: 1000, max_async_response: 4MiB}
                """ + CONNECTIONS + IDENTITY + REST);
        assertThat(c.listeners().get(0).limits()).isEqualTo(new ListenerLimits(Optional.of(java.time.Duration.ofMinutes(15)),
                Optional.of(java.time.Duration.ofSeconds(5)), Optional.of(8 << 20), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(500)));
        assertThat(c.listeners().get(1).limits()).isEqualTo(new ListenerLimits(Optional.of(java.time.Duration.ZERO),
                Optional.empty(), Optional.empty(), Optional.of(4 << 10), Optional.of(32 << 10), Optional.of(0),
                Optional.of(java.time.Duration.ofSeconds(10)), Optional.of(1000), Optional.of(4 << 20), Optional.empty()));
        assertThat(valid(LISTENERS + CONNECTIONS + IDENTITY + REST).listeners().get(0).limits()).isEqualTo(ListenerLimits.DEFAULTS);
    }

    @Test
    void reportsEveryBadListenerLimitWithItsPath() throws IOException {
        assertThat(problems("""
                listeners:
                  - name: pg
                    protocol: postgres
                    port: 6432
                    limits: {idle_timeout: soon, max_message_size: 100, max_header_size: 16KiB, max_body: 1MiB, header_timeout: 5s, max_async_requests: 9}
                  - name: api
                    protocol: http
                    port: 8080
                    limits: {startup_timeout: 5s, max_request_line: 10, max_concurrent_streams: -1, header_timeout: 1h, max_connections: 0}
                """ + CONNECTIONS + IDENTITY + REST))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.idle_timeout").contains("soon"))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.max_message_size").contains("at least 1KiB"))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.max_header_size").contains("only used by http listeners"))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.max_body").contains("unknown key"))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.header_timeout").contains("only used by http listeners"))
                .anySatisfy(p -> assertThat(p).contains("listeners[1].limits.header_timeout").contains("1h"))
                .anySatisfy(p -> assertThat(p).contains("listeners[1].limits.max_connections").contains("0"))
                .anySatisfy(p -> assertThat(p).contains("listeners[0].limits.max_async_requests").contains("only used by http listeners"))
                .anySatisfy(p -> assertThat(p).contains("listeners[1].limits.startup_timeout")
                        .contains("only used by database listeners"))
                .anySatisfy(p -> assertThat(p).contains("listeners[1].limits.max_request_line").contains("at least 256"))
                .anySatisfy(p -> assertThat(p).contains("listeners[1].limits.max_concurrent_streams").contains("-1"))
                .allSatisfy(p -> assertThat(p).matches("\\d+:\\d+: listeners\\[\\d\\]\\.limits\\..*"));
    }
}
