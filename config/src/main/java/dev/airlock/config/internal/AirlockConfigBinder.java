package dev.airlock.config.internal;

import dev.airlock.config.AdminConfig;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ApprovalsConfig;
import dev.airlock.config.ApproverConfig;
import dev.airlock.config.ConnectionConfig;
import dev.airlock.config.Credentials;
import dev.airlock.config.HttpSettings;
import dev.airlock.config.IdentityProviderConfig;
import dev.airlock.config.LineageConfig;
import dev.airlock.config.ListenerConfig;
import dev.airlock.config.ListenerLimits;
import dev.airlock.config.LoggingConfig;
import dev.airlock.config.OpenLineageConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.config.Protocol;
import dev.airlock.config.Secret;
import dev.airlock.config.SignatureAlgorithm;
import dev.airlock.config.SlackConfig;
import dev.airlock.config.TeamsConfig;
import dev.airlock.config.TlsConfig;
import dev.airlock.config.Upstream;
import dev.airlock.config.UpstreamPool;
import dev.airlock.config.UpstreamTls;
import dev.airlock.config.WebChannelConfig;
import dev.airlock.config.yaml.Binder;
import dev.airlock.config.yaml.Converter;
import dev.airlock.config.yaml.MappingReader;
import dev.airlock.config.yaml.Problems;
import dev.airlock.config.yaml.SecretSource;
import dev.airlock.config.yaml.Suggestions;
import dev.airlock.config.yaml.UniqueNames;
import dev.airlock.config.yaml.Validated;
import dev.airlock.config.yaml.Yaml;
import dev.airlock.config.yaml.YamlNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Binds and validates one {@code airlock.yaml}. One instance per load. */
public final class AirlockConfigBinder {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String NAME_EXPECTED = "a valid name (expected: letters, digits, '.', '_', '-', starting with a letter or digit)";
    private static final Pattern SLACK_NAME = Pattern.compile("#?[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern SLACK_APP_ID = Pattern.compile("A[A-Z0-9]{2,30}");
    private static final Pattern SLACK_TEAM_ID = Pattern.compile("[TE][A-Z0-9]{2,30}");
    private static final Pattern SLACK_USER_ID = Pattern.compile("[UW][A-Z0-9]{2,30}");
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern CLAIM_PATH = Pattern.compile("[A-Za-z0-9_:/\\-]+(\\.[A-Za-z0-9_:/\\-]+)*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final Path file;
    private final Problems problems = new Problems();
    private final Binder b;

    private final UniqueNames listenerNames;
    private final Map<String, Protocol> listenerProtocols = new HashMap<>();
    private final Map<String, DefaultConnectionRef> defaultConnections = new LinkedHashMap<>();
    private final List<PortUse> ports = new ArrayList<>();
    private final UniqueNames connectionNames;
    private final Map<String, String> connectionListeners = new HashMap<>();
    private final UniqueNames providerNames;
    private final UniqueNames issuers;
    private final UniqueNames channelIds;
    private final UniqueNames approverSubjects;
    private final UniqueNames approverEmails;

    private record DefaultConnectionRef(String listener, YamlNode node) {
    }

    private record PortUse(String bind, int port, String what, YamlNode node) {
    }

    private record RouteUse(String listener, Set<String> hosts, String prefix, String connection) {
    }

    private final List<RouteUse> routes = new ArrayList<>();

    private static final Pattern HOST_GLOB = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern PATH_PREFIX = Pattern.compile("/|(/[A-Za-z0-9._~!$&'()+,;=:@-]+)+");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers Airlock owns on the upstream request: framing, hop-by-hop, routing and forwarding. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authorization", "proxy-authenticate",
            "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-request-id");
    private static final Pattern BYTE_SIZE = Pattern.compile("([0-9]+)\\s*(B|KiB|MiB)?");

    private AirlockConfigBinder(Path file, SecretSource secrets) {
        this.file = file;
        this.b = Binder.forFile(file, problems, secrets);
        this.listenerNames = new UniqueNames("listener name", problems);
        this.connectionNames = new UniqueNames("connection name", problems);
        this.providerNames = new UniqueNames("identity provider name", problems);
        this.issuers = new UniqueNames("issuer", problems);
        this.channelIds = new UniqueNames("approval channel id", problems);
        this.approverSubjects = new UniqueNames("approver subject", problems);
        this.approverEmails = new UniqueNames("approver email", problems);
    }

    public static Validated<AirlockConfig> load(Path file, SecretSource secrets) {
        return new AirlockConfigBinder(file, secrets).load();
    }

    private Validated<AirlockConfig> load() {
        Optional<YamlNode> root = Yaml.parse(file, problems);
        if (root.isEmpty()) {
            return Validated.invalid(problems.list());
        }
        MappingReader doc = b.mapping(root.get());
        List<ListenerConfig> listeners = nonEmptyList(doc, "listeners", b.object(this::listener));
        List<ConnectionConfig> connections = nonEmptyList(doc, "connections", b.object(this::connection));
        List<IdentityProviderConfig> providers = nonEmptyList(doc, "identity", b.object(this::identityProvider));
        ApprovalsConfig approvals = doc.optional("approvals", b.object(this::approvals), ApprovalsConfig.NONE);
        LineageConfig lineage = doc.required("lineage", b.object(this::lineage));
        PolicyConfig policy = doc.required("policy", b.object(this::policy));
        AdminConfig admin = doc.optional("admin", b.object(this::admin), AdminConfig.DEFAULT);
        if (!doc.has("admin")) {
            ports.add(0, new PortUse(AdminConfig.DEFAULT.bind(), AdminConfig.DEFAULT.port(),
                    "the admin listener (default " + AdminConfig.DEFAULT.bind() + ":" + AdminConfig.DEFAULT.port()
                            + "; set admin.port)", doc.mapping()));
        }
        LoggingConfig logging = doc.optional("logging", b.object(this::logging), LoggingConfig.DEFAULT);
        doc.finish();
        checkDefaultConnections();
        checkPorts();
        if (!problems.isEmpty()) {
            return Validated.invalid(problems.list());
        }
        return Validated.valid(new AirlockConfig(file.toAbsolutePath().normalize(), listeners, connections, providers,
                approvals, lineage, policy, admin, logging));
    }

    // ---------------------------------------------------------------- listeners

    private ListenerConfig listener(MappingReader m) {
        String name = claim(m, "name", b.matching(NAME, NAME_EXPECTED), listenerNames);
        Protocol protocol = m.required("protocol", protocolConverter());
        if (name != null && protocol != null) {
            listenerProtocols.put(name, protocol);
        }
        String bind = m.optional("bind", this::address, "127.0.0.1");
        Integer port = m.required("port", b::port);
        Optional<TlsConfig> tls = m.optional("tls", b.object(this::tls));
        Optional<Path> hostKey = m.optional("host_key", this::existingFile);
        Optional<String> defaultConnection = m.optional("default_connection", b::nonBlank);
        boolean plaintextOnLoopback = m.optional("plaintext_on_loopback", b::bool, false);
        Duration maxWait = m.optional("max_wait_in_transaction", b.duration(Duration.ZERO, Duration.ofDays(1)),
                ListenerConfig.DEFAULT_MAX_WAIT_IN_TRANSACTION);
        if (protocol != null && protocol != Protocol.POSTGRES && protocol != Protocol.MYSQL && m.has("max_wait_in_transaction")) {
            m.problem("max_wait_in_transaction", "only used by database listeners (postgres, mysql)");
        }
        ListenerLimits limits = m.optional("limits", b.object(lm -> limits(lm, protocol)), ListenerLimits.DEFAULTS);
        if (m.has("plaintext_on_loopback") && !m.has("tls")) {
            m.problem("plaintext_on_loopback", "only used with tls (a listener without tls is plaintext, on loopback only)");
        }
        if (protocol == Protocol.SSH) {
            if (m.has("tls")) {
                m.problem("tls", "not used by ssh listeners (SSH encrypts its own transport; see host_key)");
            }
        } else if (protocol != null && m.has("host_key")) {
            m.problem("host_key", "only used by ssh listeners (" + protocol.yamlName() + " listeners use tls)");
        } else if (protocol != null && !m.has("tls") && bind != null && !isLoopback(bind)) {
            m.problem("tls", "required when bind is not a loopback address (agents send tokens as passwords);"
                    + " use tls: {self_signed: true} for development");
        }
        if (name != null && defaultConnection.isPresent()) {
            defaultConnections.put(name, new DefaultConnectionRef(name, m.node("default_connection").orElseThrow()));
        }
        if (bind != null && port != null) {
            ports.add(new PortUse(bind, port, m.path() + (name == null ? "" : " (" + name + ")"),
                    m.node("port").orElseThrow()));
        }
        return m.build(() -> new ListenerConfig(name, protocol, bind, port, tls, hostKey, defaultConnection,
                plaintextOnLoopback, maxWait, limits));
    }

    /** A listener's {@code limits:}; each key only where its protocol uses it. */
    private ListenerLimits limits(MappingReader m, Protocol protocol) {
        Optional<Duration> idle = m.optional("idle_timeout", b.duration(Duration.ZERO, Duration.ofDays(7)));
        Optional<Duration> startup = m.optional("startup_timeout", b.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)));
        Optional<Integer> message = m.optional("max_message_size", this::byteSize);
        Optional<Integer> line = m.optional("max_request_line", this::byteSize);
        Optional<Integer> header = m.optional("max_header_size", this::byteSize);
        Optional<Integer> streams = m.optional("max_concurrent_streams", b.integer(0, 10_000));
        Optional<Duration> headerTimeout = m.optional("header_timeout", b.duration(Duration.ZERO, Duration.ofMinutes(10)));
        Optional<Integer> asyncRequests = m.optional("max_async_requests", b.integer(0, 100_000));
        Optional<Integer> asyncResponse = m.optional("max_async_response", this::byteSize);
        Optional<Integer> maxConnections = m.optional("max_connections", b.integer(1, 1_000_000));
        boolean database = protocol == Protocol.POSTGRES || protocol == Protocol.MYSQL;
        if (protocol != null && !database) {
            for (String key : List.of("startup_timeout", "max_message_size")) {
                if (m.has(key)) {
                    m.problem(key, "only used by database listeners (postgres, mysql)");
                }
            }
        }
        if (protocol != null && protocol != Protocol.HTTP) {
            for (String key : List.of("max_request_line", "max_header_size", "max_concurrent_streams", "header_timeout",
                    "max_async_requests", "max_async_response")) {
                if (m.has(key)) {
                    m.problem(key, "only used by http listeners");
                }
            }
        }
        atLeast(m, "max_message_size", message, 1 << 10, "1KiB");
        atLeast(m, "max_request_line", line, 256, "256");
        atLeast(m, "max_header_size", header, 1 << 10, "1KiB");
        atLeast(m, "max_async_response", asyncResponse, 1 << 10, "1KiB");
        return m.build(() -> new ListenerLimits(idle, startup, message, line, header, streams, headerTimeout,
                asyncRequests, asyncResponse, maxConnections));
    }

    private static void atLeast(MappingReader m, String key, Optional<Integer> value, int min, String shown) {
        if (value.isPresent() && value.get() < min) {
            m.problem(key, value.get() + " bytes is too small (expected: at least " + shown + ")");
        }
    }

    private TlsConfig tls(MappingReader m) {
        boolean selfSigned = m.optional("self_signed", b::bool, false);
        Optional<Path> cert = m.optional("cert", this::existingFile);
        Optional<Path> key = m.optional("key", this::existingFile);
        if (selfSigned) {
            if (m.has("cert") || m.has("key")) {
                m.problem("self_signed: true cannot be combined with cert and key");
            }
            return m.build(TlsConfig.SelfSigned::new);
        }
        if (!m.has("cert")) {
            m.problem("missing required key 'cert' (or set self_signed: true for development)");
        }
        if (!m.has("key")) {
            m.problem("missing required key 'key' (or set self_signed: true for development)");
        }
        return m.build(() -> new TlsConfig.Files(cert.orElseThrow(), key.orElseThrow()));
    }

    // ---------------------------------------------------------------- connections

    private ConnectionConfig connection(MappingReader m) {
        String name = claim(m, "name", b.matching(NAME, NAME_EXPECTED), connectionNames);
        Protocol protocol = m.required("protocol", protocolConverter());
        String listener = m.required("listener", b::nonBlank);
        if (listener != null) {
            YamlNode at = m.node("listener").orElseThrow();
            if (!listenerNames.contains(listener)) {
                b.problem(at, undefined("listener", listener, listenerNames.names()));
            } else if (protocol != null && listenerProtocols.containsKey(listener)
                    && listenerProtocols.get(listener) != protocol) {
                b.problem(at, "listener '" + listener + "' speaks " + listenerProtocols.get(listener).yamlName()
                        + ", but this connection is " + protocol.yamlName());
            }
            if (name != null && listenerNames.contains(listener)) {
                connectionListeners.put(name, listener);
            }
        }
        Upstream upstream;
        if (protocol == null) {
            m.known("upstream", "database", "login", "credentials");
            upstream = null;
        } else {
            upstream = m.required("upstream", b.expanded(protocol == Protocol.HTTP ? this::httpUpstream : node -> tcpUpstream(node, protocol)));
        }
        Optional<String> database = m.optional("database", b.expanded(b::nonBlank));
        Optional<String> login = m.optional("login", b.expanded(b::nonBlank));
        Credentials credentials = m.optional("credentials", protocol == null ? n -> Credentials.NONE
                : b.object(c -> credentials(c, protocol)), Credentials.NONE);
        Map<String, String> labels = m.optional("labels", b.mapOf(b::string), Map.of());
        UpstreamTls upstreamTls = m.optional("tls", b.object(this::upstreamTls), UpstreamTls.DISABLE);
        Optional<UpstreamPool> pool = m.optional("pool", b.object(this::pool));
        int maxSessionsPerAgent = m.optional("max_sessions_per_agent", b.integer(0, 1_000_000), 0);
        boolean databaseProtocol = protocol == Protocol.POSTGRES || protocol == Protocol.MYSQL;
        if (protocol != null && !databaseProtocol && m.has("tls")) {
            m.problem("tls", "only used by database connections (" + protocol.yamlName()
                    + (protocol == Protocol.HTTP ? " connections use upstream_tls with an https:// upstream)" : " encrypts its own transport)"));
        }
        if (protocol != null && protocol != Protocol.POSTGRES && m.has("pool")) {
            m.problem("pool", "only used by postgres connections");
        }
        Optional<HttpSettings> http = Optional.empty();
        if (protocol == Protocol.HTTP) {
            // null when present but invalid (reported), so no default hides the problem
            Optional<HttpSettings.Route> givenRoute = m.optional("route", b.object(this::route));
            HttpSettings.Route route = m.has("route") ? givenRoute.orElse(null) : HttpSettings.Route.ANY;
            Optional<HttpSettings.UpstreamTls> givenTls = m.optional("upstream_tls", b.object(this::httpUpstreamTls));
            HttpSettings.UpstreamTls tls = m.has("upstream_tls") ? givenTls.orElse(null) : HttpSettings.UpstreamTls.DEFAULT;
            if (m.has("upstream_tls") && upstream != null && !upstream.url().map(u -> u.getScheme().equalsIgnoreCase("https")).orElse(false)) {
                m.problem("upstream_tls", "only used with an https upstream (upstream is " + upstream + ")");
            }
            HttpSettings settings = m.optional("http", b.object(h -> httpSettings(h, route, tls)),
                    new HttpSettings(route == null ? HttpSettings.Route.ANY : route, tls == null ? HttpSettings.UpstreamTls.DEFAULT : tls,
                            HttpSettings.DEFAULT.maxBufferedBody(), HttpSettings.DEFAULT.connectTimeout(),
                            HttpSettings.DEFAULT.responseTimeout(), HttpSettings.DEFAULT.maxIdleConnections()));
            http = Optional.ofNullable(settings);
            if (route != null && name != null && listener != null) {
                Set<String> hosts = new java.util.TreeSet<>(route.hosts());
                for (RouteUse r : routes) {
                    if (r.listener().equals(listener) && r.hosts().equals(hosts) && r.prefix().equals(route.pathPrefix())) {
                        b.problem(m.node("route").orElse(m.mapping()), "same route as connection '" + r.connection()
                                + "' (" + route.describe() + "); give one of them other hosts or another path_prefix");
                        break;
                    }
                }
                routes.add(new RouteUse(listener, hosts, route.pathPrefix(), name));
            }
        } else if (protocol != null) {
            m.known("route", "upstream_tls", "http");
            for (String key : List.of("route", "upstream_tls", "http")) {
                if (m.has(key)) {
                    m.problem(key, "only used by http connections");
                }
            }
        }
        if (protocol != null) {
            if (database.isPresent() && (protocol == Protocol.SSH || protocol == Protocol.HTTP)) {
                m.problem("database", "not used by " + protocol.yamlName() + " connections");
            }
            if (protocol == Protocol.HTTP && login.isPresent()) {
                m.problem("login", "not used by http connections (use credentials.bearer_token, credentials.basic or credentials.headers)");
            }
            if (protocol != Protocol.HTTP && !m.has("login")) {
                m.problem("missing required key 'login' (the user Airlock logs in as on the " + protocol.yamlName() + " upstream)");
            }
        }
        Optional<HttpSettings> finalHttp = http;
        if (protocol == Protocol.HTTP && http.isEmpty()) {
            m.known("http");
            return m.build(() -> null);
        }
        return m.build(() -> new ConnectionConfig(name, protocol, listener, upstream, database, login, credentials, labels,
                upstreamTls, pool, finalHttp, maxSessionsPerAgent));
    }

    private HttpSettings.Route route(MappingReader m) {
        List<String> hosts = m.optional("hosts", b.oneOrMany(node -> {
            String h = b.nonBlank(node);
            if (h != null && !HOST_GLOB.matcher(h.toLowerCase(Locale.ROOT)).matches()) {
                b.problem(node, "'" + h + "' is not a host name or *.domain pattern");
                return null;
            }
            return h == null ? null : h.toLowerCase(Locale.ROOT);
        }), List.of());
        if (m.has("hosts") && hosts.isEmpty() && m.ok()) {
            m.problem("hosts", "must name at least one host (leave hosts out to match any host)");
        }
        String prefix = m.optional("path_prefix", node -> {
            String p = b.nonBlank(node);
            if (p != null && (!PATH_PREFIX.matcher(p).matches() || p.contains("/./") || p.contains("/../")
                    || p.endsWith("/.") || p.endsWith("/.."))) {
                b.problem(node, "'" + p + "' is not a path prefix (expected: '/' or /a/b: no trailing '/', no '.' or '..'"
                        + " segments, no '*', '?', '%' or '#')");
                return null;
            }
            return p;
        }, "/");
        return m.build(() -> new HttpSettings.Route(hosts, prefix));
    }

    private HttpSettings.UpstreamTls httpUpstreamTls(MappingReader m) {
        Optional<Path> ca = m.optional("ca", this::existingFile);
        boolean verify = m.optional("verify", b::bool, true);
        if (!verify && m.has("ca")) {
            m.problem("ca", "not used with verify: false");
        }
        return m.build(() -> new HttpSettings.UpstreamTls(ca, verify));
    }

    private HttpSettings httpSettings(MappingReader m, HttpSettings.Route route, HttpSettings.UpstreamTls tls) {
        HttpSettings d = HttpSettings.DEFAULT;
        Integer maxBody = m.optional("max_buffered_body", this::byteSize, d.maxBufferedBody());
        Duration connect = m.optional("connect_timeout", b.duration(Duration.ofMillis(1), Duration.ofMinutes(10)), d.connectTimeout());
        Duration response = m.optional("response_timeout", b.duration(Duration.ofMillis(1), Duration.ofDays(1)), d.responseTimeout());
        Integer idle = m.optional("max_idle_connections", b.integer(0, 10_000), d.maxIdleConnections());
        if (route == null || tls == null) {
            m.finish();
            return null;
        }
        return m.build(() -> new HttpSettings(route, tls, maxBody, connect, response, idle));
    }

    /** A byte size: an integer, or a number with B, KiB or MiB; at most 64 MiB. */
    private Integer byteSize(YamlNode node) {
        String s = node instanceof dev.airlock.config.yaml.YamlScalar sc && sc.type() != dev.airlock.config.yaml.YamlScalar.Type.NULL ? sc.text() : null;
        java.util.regex.Matcher mm = s == null ? null : BYTE_SIZE.matcher(s.trim());
        if (mm == null || !mm.matches() || mm.group(1).length() > 9) {
            b.problem(node, "'" + s + "' is not a size (expected: bytes, or a number with KiB or MiB, e.g. 64KiB)");
            return null;
        }
        long n = Long.parseLong(mm.group(1));
        long bytes = mm.group(2) == null || mm.group(2).equals("B") ? n : mm.group(2).equals("KiB") ? n << 10 : n << 20;
        if (bytes > 64L << 20) {
            b.problem(node, "'" + s + "' is out of range (expected: at most 64MiB)");
            return null;
        }
        return (int) bytes;
    }

    private UpstreamTls upstreamTls(MappingReader m) {
        UpstreamTls.Mode mode = m.required("mode", b.enumOf(UpstreamTls.Mode.class, UpstreamTls.Mode::yamlName));
        Optional<Path> rootCert = m.optional("root_cert", this::existingFile);
        if (rootCert.isPresent() && mode != null && mode != UpstreamTls.Mode.VERIFY_FULL) {
            m.problem("root_cert", "only used with mode: verify-full");
        }
        return m.build(() -> new UpstreamTls(mode, rootCert));
    }

    private UpstreamPool pool(MappingReader m) {
        String mode = m.required("mode", b::nonBlank);
        if (mode != null && !mode.equals("transaction")) {
            m.problem("mode", "'" + mode + "' is not a pool mode (expected: transaction)");
        }
        Integer size = m.optional("size", b::integer, 20);
        if (size != null && (size < 1 || size > 10_000)) {
            m.problem("size", size + " is out of range (expected: 1-10000)");
        }
        Duration idle = m.optional("idle_timeout", b.duration(Duration.ofSeconds(1), Duration.ofDays(1)),
                UpstreamPool.DEFAULT_IDLE_TIMEOUT);
        return m.build(() -> new UpstreamPool(size, idle));
    }

    private Upstream tcpUpstream(YamlNode node, Protocol protocol) {
        String s = b.nonBlank(node);
        if (s == null) {
            return null;
        }
        int defaultPort = switch (protocol) {
            case POSTGRES -> 5432;
            case MYSQL -> 3306;
            case SSH -> 22;
            case HTTP -> 80;
        };
        String host;
        String portText = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            host = close < 0 ? "" : s.substring(1, close);
            String rest = close < 0 ? "x" : s.substring(close + 1);
            if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else if (!rest.isEmpty()) {
                host = "";
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            portText = colon < 0 ? null : s.substring(colon + 1);
        }
        boolean hostOk = s.startsWith("[") ? IPV6.matcher(host).matches() : isHostOrIpv4(host);
        Integer port = defaultPort;
        if (portText != null) {
            port = portText.matches("[0-9]{1,5}") ? Integer.parseInt(portText) : null;
            if (port != null && (port < 1 || port > 65535)) {
                port = null;
            }
        }
        if (!hostOk || port == null) {
            b.problem(node, "'" + Binder.maskUserInfo(s) + "' is not host[:port] (e.g. db.internal:" + defaultPort + ")");
            return null;
        }
        return new Upstream(host, port, Optional.empty());
    }

    private Upstream httpUpstream(YamlNode node) {
        URI url = b.httpUrl(node);
        if (url == null) {
            return null;
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            b.problem(node, "'" + url + "' must not have a query or fragment (expected: scheme://host[:port][/base/path])");
            return null;
        }
        int port = url.getPort() > 0 ? url.getPort() : (url.getScheme().equalsIgnoreCase("https") ? 443 : 80);
        return new Upstream(url.getHost(), port, Optional.of(url));
    }

    private Credentials credentials(MappingReader m, Protocol protocol) {
        Optional<Secret> password = m.optional("password", b::secret);
        Optional<Secret> privateKey = m.optional("private_key", b::secret);
        Optional<Secret> bearerToken = m.optional("bearer_token", b::secret);
        Optional<Credentials.Basic> basic = m.optional("basic", b.object(this::basic));
        Map<String, Secret> headers = m.optional("headers", b.mapOf(b::secret), Map.of());
        if (password.isPresent() && protocol == Protocol.HTTP) {
            m.problem("password", "not used by http connections (use bearer_token, basic or headers)");
        }
        if (m.has("basic") && protocol != Protocol.HTTP) {
            m.problem("basic", "only used by http connections");
        }
        if (bearerToken.isPresent() && m.has("basic")) {
            m.problem("basic", "bearer_token and basic both set the Authorization header; keep one");
        }
        if (protocol == Protocol.HTTP) {
            m.node("headers").ifPresent(node -> {
                if (node instanceof dev.airlock.config.yaml.YamlMapping hm) {
                    for (String h : hm.keys()) {
                        YamlNode at = hm.get(h).orElse(node);
                        String lower = h.toLowerCase(Locale.ROOT);
                        if (!TOKEN.matcher(h).matches()) {
                            b.problem(at, "'" + h + "' is not a valid header name");
                        } else if (RESERVED_HEADERS.contains(lower)) {
                            b.problem(at, "'" + h + "' is set by Airlock itself (framing, hop-by-hop, routing or forwarding header)");
                        } else if (lower.equals("authorization") && (m.has("bearer_token") || m.has("basic"))) {
                            b.problem(at, "'" + h + "' conflicts with " + (m.has("basic") ? "basic" : "bearer_token"));
                        }
                    }
                }
            });
        }
        if (privateKey.isPresent() && protocol != Protocol.SSH) {
            m.problem("private_key", "only used by ssh connections");
        }
        if (bearerToken.isPresent() && protocol != Protocol.HTTP) {
            m.problem("bearer_token", "only used by http connections");
        }
        if (!headers.isEmpty() && protocol != Protocol.HTTP) {
            m.problem("headers", "only used by http connections");
        }
        return m.build(() -> new Credentials(password, privateKey, bearerToken, bearerToken.isPresent() ? Optional.empty() : basic, headers));
    }

    private Credentials.Basic basic(MappingReader m) {
        String user = m.required("user", b.expanded(b::nonBlank));
        if (user != null && user.indexOf(':') >= 0) {
            m.problem("user", "must not contain ':' (RFC 7617)");
        }
        Secret password = m.required("password", b::secret);
        return m.build(() -> new Credentials.Basic(user, password));
    }

    // ---------------------------------------------------------------- identity

    private IdentityProviderConfig identityProvider(MappingReader m) {
        String name = claim(m, "name", b.matching(NAME, NAME_EXPECTED), providerNames);
        URI issuer = m.required("issuer", b.expanded(this::secureUrl));
        if (issuer != null) {
            issuers.claim(issuer.toString(), m.node("issuer").orElseThrow());
        }
        List<String> audiences = m.required("audience", b.oneOrMany(b::nonBlank));
        if (audiences != null && audiences.isEmpty()) {
            m.problem("audience", "must name at least one audience");
        }
        Optional<URI> jwksUrl = m.optional("jwks_url", b.expanded(this::secureUrl));
        String groupsClaim = m.optional("groups_claim",
                b.matching(CLAIM_PATH, "a claim path (expected: names separated by '.', e.g. realm_access.roles)"), "groups");
        List<SignatureAlgorithm> algorithms = m.optional("algorithms",
                b.listOf(b.enumOf(SignatureAlgorithm.class, SignatureAlgorithm::joseName)), List.of(SignatureAlgorithm.RS256));
        if (m.has("algorithms") && algorithms.isEmpty() && m.ok()) {
            m.problem("algorithms", "must name at least one algorithm");
        }
        Duration clockSkew = m.optional("clock_skew", b.duration(Duration.ZERO, MAX_CLOCK_SKEW), Duration.ofSeconds(60));
        return m.build(() -> new IdentityProviderConfig(name, issuer, audiences, jwksUrl, groupsClaim, algorithms, clockSkew));
    }

    /** An http(s) URL; plain http only for loopback hosts (local test issuers). */
    private URI secureUrl(YamlNode node) {
        URI url = b.httpUrl(node);
        if (url != null && url.getScheme().equalsIgnoreCase("http") && !isLoopback(url.getHost())) {
            b.problem(node, "'" + url + "' must use https (plain http is only accepted for loopback hosts)");
            return null;
        }
        return url;
    }

    // ---------------------------------------------------------------- approvals

    private ApprovalsConfig approvals(MappingReader m) {
        // the directory first: slack.users refers to its subjects
        List<ApproverConfig> directory = m.optional("directory", b.listOf(b.object(this::approver)), List.of());
        ApprovalsConfig channels = m.optional("channels", b.object(c -> channels(c, directory)), ApprovalsConfig.NONE);
        return m.build(() -> new ApprovalsConfig(channels.slack(), channels.teams(), channels.web(), directory));
    }

    private ApproverConfig approver(MappingReader m) {
        String subject = m.required("subject", b.expanded(b::nonBlank));
        if (subject != null) {
            approverSubjects.claim(subject, m.node("subject").orElseThrow());
        }
        Optional<String> email = m.optional("email", b.expanded(b.matching(EMAIL, "an email address (expected: name@domain)")));
        email.ifPresent(e -> approverEmails.claim(e.toLowerCase(Locale.ROOT), m.node("email").orElseThrow()));
        List<String> groups = m.optional("groups", b.listOf(b::nonBlank), List.of());
        return m.build(() -> new ApproverConfig(subject, email, Set.copyOf(groups)));
    }

    private ApprovalsConfig channels(MappingReader m, List<ApproverConfig> directory) {
        Optional<SlackConfig> slack = chatApp(m, "slack", "one Slack app, with its Slack channels under 'channels:'",
                s -> slack(s, directory));
        Optional<TeamsConfig> teams = chatApp(m, "teams", "one Teams bot, with its conversations under 'conversations:'",
                t -> teams(t, directory));
        Optional<WebChannelConfig> web = m.optional("web", b.object(this::web));
        return m.build(() -> new ApprovalsConfig(slack, teams, web, List.of()));
    }

    /** A chat app under {@code approvals.channels.<key>}: one mapping (a list is a common mistake, said so). */
    private <T> Optional<T> chatApp(MappingReader m, String key, String expected, java.util.function.Function<MappingReader, T> read) {
        return m.node(key).flatMap(n -> {
            if (n instanceof dev.airlock.config.yaml.YamlSequence) {
                b.problem(n, "expected a mapping (" + expected + "), got a list; see examples/airlock.yaml");
                return Optional.empty();
            }
            return Optional.ofNullable(b.object(read::apply).convert(n));
        });
    }

    private SlackConfig slack(MappingReader m, List<ApproverConfig> directory) {
        String appId = m.required("app_id", b.expanded(b.matching(SLACK_APP_ID,
                "a Slack app id (expected: 'A' and capital letters or digits, e.g. A0123ABCDEF; see the app's Basic Information)")));
        String teamId = m.required("team_id", b.expanded(b.matching(SLACK_TEAM_ID,
                "a Slack workspace id (expected: 'T' (or 'E' for an Enterprise Grid org) and capital letters or digits, e.g. T0123ABCDEF)")));
        Optional<SlackConfig.Mode> modeSetting = m.optional("mode", b.enumOf(SlackConfig.Mode.class));
        // An invalid mode is already reported; don't add mode-specific complaints on top of it.
        SlackConfig.Mode mode = m.has("mode") ? modeSetting.orElse(null) : SlackConfig.Mode.SOCKET;
        Secret botToken = m.required("bot_token", b::secret);
        Optional<Secret> appToken = m.optional("app_token", b::secret);
        Optional<Secret> signingSecret = m.optional("signing_secret", b::secret);
        // the bot token travels with every call: plain http only to a loopback stand-in
        URI apiBaseUrl = m.optional("api_base_url", b.expanded(this::secureUrl), SlackConfig.DEFAULT_API_BASE_URL);
        if (mode == SlackConfig.Mode.SOCKET) {
            if (!m.has("app_token")) {
                m.problem("missing required key 'app_token' (mode is socket; or set mode: http with signing_secret)");
            }
            if (m.has("signing_secret")) {
                m.problem("signing_secret", "only used with mode: http (socket mode needs app_token)");
            }
        }
        if (mode == SlackConfig.Mode.HTTP) {
            if (!m.has("signing_secret")) {
                m.problem("missing required key 'signing_secret' (mode is http)");
            }
            if (m.has("app_token")) {
                m.problem("app_token", "only used with mode: socket (http mode needs signing_secret)");
            }
        }
        Map<String, String> users = chatUsers(m, "Slack user id", SLACK_USER_ID, id -> id,
                "is not a Slack user id (expected: 'U' or 'W' and capital letters or digits, e.g. U0123ABCDEF;"
                        + " see the person's Slack profile, ⋮ → Copy member ID)");
        boolean emailLookup = m.optional("email_lookup", b::bool, false);
        if (emailLookup && directory.stream().noneMatch(a -> a.email().isPresent())) {
            m.problem("email_lookup", "no approvals.directory entry has an email to look up");
        }
        if (!m.has("users") && !emailLookup) {
            m.problem("no Slack user could vote: map 'users' (Slack user id: approvals.directory subject)"
                    + " or set email_lookup: true");
        }
        List<SlackConfig.Channel> channels = m.required("channels", b.listOf(b.object(this::slackChannel)));
        if (m.node("channels").orElse(null) instanceof dev.airlock.config.yaml.YamlSequence seq && seq.items().isEmpty()) {
            m.problem("channels", "must name at least one Slack channel");
        }
        return m.build(() -> new SlackConfig(appId, teamId, mode, botToken, appToken, signingSecret, apiBaseUrl, users,
                emailLookup, channels));
    }

    /**
     * A chat app's {@code users:} mapping, chat user id → {@code approvals.directory} subject: keys must match
     * {@code idPattern} (else "'key' {@code notAnId}"), values must be subjects of the directory.
     */
    private Map<String, String> chatUsers(MappingReader m, String idName, Pattern idPattern,
                                          java.util.function.UnaryOperator<String> normalise, String notAnId) {
        Map<String, String> users = new LinkedHashMap<>();
        // every subject written in the directory, also of entries with problems (reported there, not again here)
        Set<String> subjects = approverSubjects.names();
        m.node("users").ifPresent(node -> {
            if (!(node instanceof dev.airlock.config.yaml.YamlMapping map)) {
                b.problem(node, "expected a mapping (" + idName + ": directory subject), got " + Binder.describe(node));
                return;
            }
            map.entries().forEach((id, value) -> {
                if (!idPattern.matcher(id).matches()) {
                    b.problems().add(map.keyLocation(id), map.path() + "." + id, "'" + id + "' " + notAnId);
                    return;
                }
                String subject = b.expanded(b::nonBlank).convert(value);
                if (subject == null) {
                    return;
                }
                if (!subjects.contains(subject)) {
                    b.problem(value, undefined("approvals.directory subject", subject, subjects));
                    return;
                }
                users.put(normalise.apply(id), subject);
            });
        });
        return users;
    }

    private SlackConfig.Channel slackChannel(MappingReader m) {
        String channel = m.required("channel", b::nonBlank);
        String name = m.optional("name", b.matching(SLACK_NAME, NAME_EXPECTED), channel);
        if (name != null && !m.has("name") && !SLACK_NAME.matcher(name).matches()) {
            m.problem("name", "required because channel '" + channel + "' is not a valid name; " + NAME_EXPECTED);
            name = null;
        }
        if (name != null) {
            channelIds.claim("slack:" + name, m.node("name").or(() -> m.node("channel")).orElseThrow());
        }
        String finalName = name;
        return m.build(() -> new SlackConfig.Channel(finalName, channel));
    }

    private TeamsConfig teams(MappingReader m, List<ApproverConfig> directory) {
        String appId = m.required("app_id", b.expanded(b.matching(GUID,
                "a Microsoft app id (expected: a GUID, e.g. 00000000-0000-0000-0000-000000000000; see the Azure Bot's"
                        + " Configuration page)")));
        Secret appPassword = m.required("app_password", b::secret);
        String tenant = m.required("tenant", b.expanded(b.matching(GUID,
                "an Entra tenant id (expected: a GUID; a single-tenant bot's Directory (tenant) ID)")));
        // the bot's token travels with every call: plain http only to a loopback stand-in
        URI serviceUrl = m.required("service_url", b.expanded(this::secureUrl));
        Map<String, String> users = chatUsers(m, "Entra object id", GUID, id -> id.toLowerCase(Locale.ROOT),
                "is not an Entra object id (expected: a GUID; the user's Object ID in Entra ID)");
        boolean emailLookup = m.optional("email_lookup", b::bool, false);
        if (emailLookup && directory.stream().noneMatch(a -> a.email().isPresent())) {
            m.problem("email_lookup", "no approvals.directory entry has an email to look up");
        }
        if (!m.has("users") && !emailLookup) {
            m.problem("no Teams user could vote: map 'users' (Entra object id: approvals.directory subject)"
                    + " or set email_lookup: true");
        }
        List<TeamsConfig.Conversation> conversations = m.required("conversations",
                b.listOf(b.object(this::teamsConversation)));
        if (m.node("conversations").orElse(null) instanceof dev.airlock.config.yaml.YamlSequence seq && seq.items().isEmpty()) {
            m.problem("conversations", "must name at least one Teams conversation");
        }
        URI loginBaseUrl = m.optional("login_base_url", b.expanded(this::secureUrl), TeamsConfig.DEFAULT_LOGIN_BASE_URL);
        URI metadataUrl = m.optional("openid_metadata_url", b.expanded(this::secureUrl), TeamsConfig.DEFAULT_OPENID_METADATA_URL);
        return m.build(() -> new TeamsConfig(appId, appPassword, tenant, serviceUrl, users, emailLookup, conversations,
                loginBaseUrl, metadataUrl));
    }

    private TeamsConfig.Conversation teamsConversation(MappingReader m) {
        String name = m.required("name", b.matching(NAME, NAME_EXPECTED));
        if (name != null) {
            channelIds.claim("teams:" + name, m.node("name").orElseThrow());
        }
        String conversation = m.required("conversation", b.expanded(b::nonBlank));
        return m.build(() -> new TeamsConfig.Conversation(name, conversation));
    }

    private WebChannelConfig web(MappingReader m) {
        URI baseUrl = m.required("base_url", b.expanded(b::httpUrl));
        Optional<String> provider = m.optional("identity_provider", b::nonBlank);
        provider.ifPresent(p -> {
            if (!providerNames.contains(p)) {
                b.problem(m.node("identity_provider").orElseThrow(), undefined("identity provider", p, providerNames.names()));
            }
        });
        if (baseUrl != null && baseUrl.getRawPath() != null && !baseUrl.getRawPath().isEmpty() && !baseUrl.getRawPath().equals("/")) {
            m.problem("base_url", "must not have a path (the page is served at /approvals)");
        }
        String clientId = m.optional("client_id", b.expanded(b::nonBlank), WebChannelConfig.DEFAULT_CLIENT_ID);
        Optional<Secret> clientSecret = m.optional("client_secret", b::secret);
        return m.build(() -> new WebChannelConfig(baseUrl, provider, clientId, clientSecret));
    }

    // ---------------------------------------------------------------- lineage, policy, admin, logging

    private enum Store { EMBEDDED, JDBC }

    private LineageConfig lineage(MappingReader m) {
        Store store = m.required("store", b.enumOf(Store.class));
        Path spoolDir = m.optional("spool_dir", b::path, b.baseDir().resolve("data/spool"));
        Optional<OpenLineageConfig> openLineage = m.optional("openlineage", b.object(this::openLineage));
        if (store == null) {
            m.known("data_dir", "jdbc_url", "user", "password");
            m.finish();
            return null;
        }
        if (store == Store.EMBEDDED) {
            Path dataDir = m.optional("data_dir", b::path, b.baseDir().resolve("data/lineage"));
            for (String key : List.of("jdbc_url", "user", "password")) {
                if (m.has(key)) {
                    m.problem(key, "only used with store: jdbc");
                }
            }
            return m.build(() -> new LineageConfig.Embedded(dataDir, spoolDir, openLineage));
        }
        String jdbcUrl = m.required("jdbc_url", b.expanded(b::nonBlank));
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            m.problem("jdbc_url", "expected a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
        } else if (jdbcUrl != null && jdbcUrl.toLowerCase(Locale.ROOT).contains("password=")) {
            m.problem("jdbc_url", "must not contain a password; put it in 'password' (a secret such as ${LINEAGE_PASSWORD})");
        }
        String user = m.required("user", b.expanded(b::nonBlank));
        Optional<Secret> password = m.optional("password", b::secret);
        if (m.has("data_dir")) {
            m.problem("data_dir", "only used with store: embedded");
        }
        return m.build(() -> new LineageConfig.Jdbc(jdbcUrl, user, password, spoolDir, openLineage));
    }

    private OpenLineageConfig openLineage(MappingReader m) {
        OpenLineageConfig.Transport transport = m.required("transport",
                b.enumOf(OpenLineageConfig.Transport.class, t -> t.name().toLowerCase(Locale.ROOT)));
        Optional<URI> url = m.optional("url", b.expanded(b::httpUrl));
        Optional<Path> file = m.optional("file", b::path);
        String namespace = m.optional("namespace", b::nonBlank, "airlock");
        Duration interval = m.optional("interval", b.duration(Duration.ofMillis(100), Duration.ofHours(1)), Duration.ofSeconds(5));
        if (transport == OpenLineageConfig.Transport.HTTP && !m.has("url")) {
            m.problem("missing required key 'url' (transport is http)");
        }
        if (transport == OpenLineageConfig.Transport.FILE && !m.has("file")) {
            m.problem("missing required key 'file' (transport is file)");
        }
        if (transport != null && transport != OpenLineageConfig.Transport.HTTP && m.has("url")) {
            m.problem("url", "only used with transport: http");
        }
        if (transport != null && transport != OpenLineageConfig.Transport.FILE && m.has("file")) {
            m.problem("file", "only used with transport: file");
        }
        return m.build(() -> new OpenLineageConfig(transport, url, file, namespace, interval));
    }

    private PolicyConfig policy(MappingReader m) {
        List<Path> files = nonEmptyList(m, "files", this::existingFile);
        UniqueNames seen = new UniqueNames("policy file", problems);
        m.node("files").ifPresent(list -> {
            if (list instanceof dev.airlock.config.yaml.YamlSequence seq) {
                for (YamlNode item : seq.items()) {
                    if (item instanceof dev.airlock.config.yaml.YamlScalar s && !s.isNull()) {
                        seen.claim(b.baseDir().resolve(s.text()).normalize().toString(), item);
                    }
                }
            }
        });
        return m.build(() -> new PolicyConfig(files));
    }

    private AdminConfig admin(MappingReader m) {
        String bind = m.optional("bind", this::address, AdminConfig.DEFAULT.bind());
        Integer port = m.optional("port", b::port, AdminConfig.DEFAULT.port());
        if (bind != null && port != null) {
            ports.add(new PortUse(bind, port, "admin", m.node("port").orElse(m.mapping())));
        }
        return m.build(() -> new AdminConfig(bind, port));
    }

    private LoggingConfig logging(MappingReader m) {
        LoggingConfig.Format format = m.optional("format", b.enumOf(LoggingConfig.Format.class), LoggingConfig.Format.TEXT);
        return m.build(() -> new LoggingConfig(format));
    }

    // ---------------------------------------------------------------- cross-checks

    private void checkDefaultConnections() {
        for (DefaultConnectionRef ref : defaultConnections.values()) {
            String connection = b.string(ref.node());
            if (!connectionNames.contains(connection)) {
                b.problem(ref.node(), undefined("connection", connection, connectionNames.names()));
            } else if (connectionListeners.containsKey(connection)
                    && !connectionListeners.get(connection).equals(ref.listener())) {
                b.problem(ref.node(), "connection '" + connection + "' is reached through listener '"
                        + connectionListeners.get(connection) + "', not '" + ref.listener() + "'");
            }
        }
    }

    private void checkPorts() {
        for (int i = 0; i < ports.size(); i++) {
            PortUse later = ports.get(i);
            for (int j = 0; j < i; j++) {
                PortUse earlier = ports.get(j);
                if (earlier.port() == later.port() && (earlier.bind().equals(later.bind())
                        || isWildcard(earlier.bind()) || isWildcard(later.bind()))) {
                    b.problem(later.node(), "port " + later.port() + " is already used by " + earlier.what());
                    break;
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private <T> List<T> nonEmptyList(MappingReader m, String key, Converter<T> element) {
        List<T> list = m.required(key, b.listOf(element));
        Optional<YamlNode> node = m.node(key);
        if (node.isPresent() && node.get() instanceof dev.airlock.config.yaml.YamlSequence seq && seq.items().isEmpty()) {
            b.problem(node.get(), "must not be empty");
        }
        return list == null ? List.of() : list;
    }

    private String claim(MappingReader m, String key, Converter<String> converter, UniqueNames names) {
        String name = m.required(key, converter);
        if (name != null) {
            names.claim(name, m.node(key).orElseThrow());
        }
        return name;
    }

    private Converter<Protocol> protocolConverter() {
        return b.enumOf(Protocol.class, Protocol::yamlName);
    }

    private String address(YamlNode node) {
        String s = b.nonBlank(node);
        if (s != null && !(isHostOrIpv4(s) || IPV6.matcher(s).matches())) {
            b.problem(node, "'" + s + "' is not an IP address or host name");
            return null;
        }
        return s;
    }

    private Path existingFile(YamlNode node) {
        Path p = b.path(node);
        if (p != null && !Files.isRegularFile(p)) {
            b.problem(node, "file " + p + " does not exist");
            return null;
        }
        if (p != null && !Files.isReadable(p)) {
            b.problem(node, "file " + p + " is not readable");
            return null;
        }
        return p;
    }

    private static boolean isHostOrIpv4(String s) {
        return IPV4.matcher(s).matches() || (HOST.matcher(s).matches() && s.length() <= 253);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || (IPV4.matcher(h).matches() && h.startsWith("127."));
    }

    private static boolean isWildcard(String bind) {
        return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("0:0:0:0:0:0:0:0");
    }

    private static String undefined(String what, String name, Set<String> defined) {
        String suggestion = Suggestions.closest(name, defined).map(s -> "did you mean '" + s + "'?")
                .orElse(defined.isEmpty() ? "none is defined" : "defined: " + String.join(", ", defined.stream().sorted().toList()));
        return "undefined " + what + " '" + name + "' (" + suggestion + ")";
    }
}
