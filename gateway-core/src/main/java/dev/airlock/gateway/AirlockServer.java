package dev.airlock.gateway;

import dev.airlock.approvals.ApprovalChannel;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.ApproverDirectory;
import dev.airlock.approvals.PlainHttpHandler;
import dev.airlock.approvals.slack.SlackApprovalChannel;
import dev.airlock.approvals.slack.SlackSettings;
import dev.airlock.approvals.slack.SlackSocketMode;
import dev.airlock.approvals.teams.TeamsApprovalChannel;
import dev.airlock.approvals.teams.TeamsSettings;
import dev.airlock.approvals.JdbcApprovalStore;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.audit.EmbeddedLineageStore;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.ExportConfig;
import dev.airlock.audit.LineageWriter;
import dev.airlock.audit.OpenLineageExporter;
import dev.airlock.audit.PolicyLoaded;
import dev.airlock.audit.StoreConfig;
import dev.airlock.audit.WriterConfig;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ApproverConfig;
import dev.airlock.config.SlackConfig;
import dev.airlock.config.ConnectionConfig;
import dev.airlock.config.HttpSettings;
import dev.airlock.config.ConfigWatcher;
import dev.airlock.config.IdentityProviderConfig;
import dev.airlock.config.LineageConfig;
import dev.airlock.config.OpenLineageConfig;
import dev.airlock.config.ListenerConfig;
import dev.airlock.config.ListenerLimits;
import dev.airlock.config.Protocol;
import dev.airlock.config.Secret;
import dev.airlock.config.SignatureAlgorithm;
import dev.airlock.config.TeamsConfig;
import dev.airlock.config.TlsConfig;
import dev.airlock.config.WebChannelConfig;
import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.Validated;
import dev.airlock.connectors.http.HeadTimer;
import dev.airlock.connectors.http.HttpListenerConfig;
import dev.airlock.connectors.http.HttpPipelineConfigurator;
import dev.airlock.connectors.http.HttpRoute;
import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.postgres.PostgresPipelineConfigurator;
import dev.airlock.approvals.web.ApprovalWebPage;
import dev.airlock.gateway.identity.IssuerSettings;
import dev.airlock.gateway.identity.OidcWebSignIn;
import dev.airlock.gateway.identity.TokenVerifier;
import dev.airlock.gateway.identity.VerifierOptions;
import dev.airlock.gateway.internal.AdminHttpHandler;
import dev.airlock.gateway.internal.ApprovalsApi;
import dev.airlock.gateway.internal.ConnectionCap;
import dev.airlock.gateway.internal.ReplicaLock;
import dev.airlock.policy.CompiledPolicy;
import dev.airlock.policy.Identity;
import dev.airlock.policy.PolicyCompiler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Airlock process: PostgreSQL and HTTP listeners, the admin HTTP listener ({@code /healthz}, {@code /readyz},
 * {@code /metrics}, the approvals REST API, the approval web page and the Slack interactivity endpoint when
 * configured), the gate, approvals (with Slack over Socket Mode or HTTP), lineage and policy hot reload.
 * {@link #close()} shuts down gracefully: stop accepting, let sessions drain, cancel what still waits.
 */
public final class AirlockServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AirlockServer.class);
    /** Admin listener: from a request's first byte to its end (its body is at most 1 MiB). */
    static final Duration ADMIN_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Admin listener: a keep-alive connection with no traffic either way (Prometheus scrapes every 15–60 s). */
    static final Duration ADMIN_IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** Admin listener: connections open at once (scrapers, approvers, chat callbacks); the rest wait to be accepted. */
    static final int ADMIN_MAX_CONNECTIONS = 1_000;
    /** What a replica id may be: it names a spool file and lineage chains. */
    static final java.util.regex.Pattern REPLICA_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * What {@code airlock.yaml} does not say.
     *
     * @param extraIssuers   issuers trusted besides the configured ones (the demo's development issuer)
     * @param lineageStore   an already open lineage store to use instead of the configured one, or {@code null}
     * @param replicaId      this process's name among the replicas sharing the lineage store (it owns its pending
     *                       approval requests, its approvals chain and its spool file); two live processes may not
     *                       share one (a lock in the store refuses the second)
     * @param clock          time source of decisions and approvals
     * @param shutdownGrace  how long sessions may drain on shutdown
     * @param ioThreads      event-loop threads for agent and upstream connections; 0 for Netty's default (twice the
     *                       cores). Fewer pay off when the machine's cores are shared with the upstreams and clients
     *                       (BENCHMARKS.md)
     */
    public record Options(List<IssuerSettings> extraIssuers, LineageStore lineageStore, String replicaId, Clock clock,
                          Duration shutdownGrace, int ioThreads) {
        public Options {
            extraIssuers = List.copyOf(extraIssuers);
            Objects.requireNonNull(replicaId, "replicaId");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            if (!REPLICA_ID.matcher(replicaId).matches()) {
                throw new IllegalArgumentException("replica id: '" + replicaId + "' (expected: 1-64 letters, digits, '.', '_' or '-')");
            }
            if (ioThreads < 0 || ioThreads > 1024) {
                throw new IllegalArgumentException("io threads: " + ioThreads + " (expected: 1-1024, or 0 for the default)");
            }
        }

        public static Options defaults() {
            return new Options(List.of(), null, "airlock-1", Clock.systemUTC(), Duration.ofSeconds(10), 0);
        }

        public Options withExtraIssuers(List<IssuerSettings> issuers) {
            return new Options(issuers, lineageStore, replicaId, clock, shutdownGrace, ioThreads);
        }

        public Options withLineageStore(LineageStore store) {
            return new Options(extraIssuers, store, replicaId, clock, shutdownGrace, ioThreads);
        }

        /** This process's name among the replicas sharing a lineage store: unique among the live ones. */
        public Options withReplicaId(String id) {
            return new Options(extraIssuers, lineageStore, id, clock, shutdownGrace, ioThreads);
        }

        public Options withShutdownGrace(Duration grace) {
            return new Options(extraIssuers, lineageStore, replicaId, clock, grace, ioThreads);
        }

        public Options withIoThreads(int n) {
            return new Options(extraIssuers, lineageStore, replicaId, clock, shutdownGrace, n);
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    private final List<PostgresPipelineConfigurator> configurators = new ArrayList<>();
    private final List<HttpPipelineConfigurator> httpConfigurators = new ArrayList<>();
    private final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
    private EventLoopGroup workers;
    private ExecutorService blocking;
    private Channel admin;
    private LineageStore store;
    private LineageWriter writer;
    private ApprovalService approvals;
    private SlackApprovalChannel slack;
    private SlackSocketMode slackSocket;
    private TeamsApprovalChannel teams;
    private TokenVerifier verifier;
    private PrometheusMeterRegistry registry;
    private ConfigWatcher<CompiledPolicy> watcher;
    private Options options;
    private volatile boolean closed;

    private AirlockServer() {
    }

    /** Starts everything {@code config} describes; on failure, stops what had started and rethrows. */
    public static AirlockServer start(AirlockConfig config, Options options) throws Exception {
        AirlockServer s = new AirlockServer();
        try {
            s.startAll(config, options);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void startAll(AirlockConfig config, Options options) throws Exception {
        this.options = options;
        // lineage
        if (options.lineageStore() != null) {
            store = options.lineageStore();
        } else if (config.lineage() instanceof LineageConfig.Embedded e) {
            EmbeddedLineageStore embedded = EmbeddedLineageStore.start(e.dataDir(), 0);
            resources.add(embedded);
            store = embedded.store();
        } else {
            LineageConfig.Jdbc j = (LineageConfig.Jdbc) config.lineage();
            store = LineageStore.open(StoreConfig.of(j.jdbcUrl(), j.user(), j.password().map(Secret::reveal).orElse("")));
            resources.add(store);
        }
        // the replica id names what this process owns in the store (pending approvals, chain, spool): one process each
        resources.add(ReplicaLock.acquire(store.dataSource(), options.replicaId()));
        java.nio.file.Files.createDirectories(config.lineage().spoolDir());
        Optional<OpenLineageConfig> openLineage = config.lineage().openLineage();
        writer = store.startWriter(WriterConfig.defaults(config.lineage().spoolDir().resolve(options.replicaId() + ".spool"))
                .withOpenLineageOutbox(openLineage.isPresent()));
        resources.add(writer);
        if (openLineage.isPresent()) {
            OpenLineageConfig ol = openLineage.get();
            ExportConfig export = new ExportConfig(ExportConfig.Transport.valueOf(ol.transport().name()), ol.url().orElse(null),
                    ol.file().orElse(null), ol.namespace(), ol.interval(), 100);
            resources.add(new OpenLineageExporter(store.dataSource(), export).start());
            log.info("OpenLineage export: {} every {}", ol.transport().name().toLowerCase(java.util.Locale.ROOT), ol.interval());
        }

        // identity
        List<IssuerSettings> issuers = new ArrayList<>();
        for (IdentityProviderConfig p : config.identityProviders()) {
            issuers.add(issuerSettings(p));
        }
        issuers.addAll(options.extraIssuers());
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("identity: [] (expected: at least one identity provider)");
        }
        verifier = TokenVerifier.create(issuers, VerifierOptions.defaults().withClock(options.clock()));
        resources.add(verifier);

        // policy, reloaded on change
        Set<Path> files = new HashSet<>(config.policy().files());
        watcher = ConfigWatcher.start(files, () -> loadPolicy(config.policy().files()), Duration.ofMillis(200),
                new ConfigWatcher.Listener<>() {
                    @Override
                    public void onChange(CompiledPolicy p) {
                        PolicySnapshot old = policy.getAndSet(PolicySnapshot.of(p));
                        if (old == null || !old.policy().version().equals(p.version())) {
                            log.info("policy {} loaded ({} rules)", p.shortVersion(), p.ruleIds().size());
                            writer.append(PolicyLoaded.of(p.version(), files.stream().map(Path::toString).sorted()
                                    .collect(Collectors.joining(", "))));
                        }
                    }

                    @Override
                    public void onInvalid(List<ConfigProblem> problems) {
                        log.error("policy not loaded; {}:\n  {}", policy.get() == null ? "nothing to keep"
                                : "keeping " + policy.get().policy().shortVersion(),
                                problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
                    }
                });
        resources.add(watcher);
        if (policy.get() == null) {
            throw new IllegalArgumentException("policy: no valid policy could be loaded from " + config.policy().files());
        }

        // approvals
        JdbcApprovalStore approvalStore = new JdbcApprovalStore(store.dataSource(), "approvals-" + options.replicaId());
        resources.add(approvalStore);
        List<ApprovalChannel> chat = new ArrayList<>();
        if (config.approvals().slack().isPresent()) {
            slack = slackChannel(config.approvals().slack().get(), config.approvals().directory(), options.clock());
            chat.add(slack);
        }
        if (config.approvals().teams().isPresent()) {
            teams = teamsChannel(config.approvals().teams().get(), config.approvals().directory(), options.clock());
            chat.add(teams);
        }
        approvals = new ApprovalService(approvalStore, chat, ApprovalService.Settings.of(options.replicaId()), options.clock());
        Map<String, PlainHttpHandler> chatEndpoints = new LinkedHashMap<>();
        if (slack != null) {
            slack.bind(approvals);
            slack.verifyAsync();
        }
        if (teams != null) {
            teams.bind(approvals);
            teams.verifyAsync();
            chatEndpoints.put(TeamsConfig.MESSAGING_PATH, teams.messagingHandler());
        }
        approvals.start();
        if (slack != null) {
            SlackConfig sc = config.approvals().slack().get();
            if (sc.mode() == SlackConfig.Mode.SOCKET) {
                // on this (main) thread: Socket Mode's link has its own threads, never an event loop
                slackSocket = slack.socketMode();
                if (slackSocket.start(SLACK_HELLO_WAIT.toMillis())) {
                    log.info("slack: socket mode connected (app {}, channels {})", sc.appId(), slackChannelNames(sc));
                } else {
                    log.warn("slack: socket mode not connected within {} s; retrying in the background (clicks wait until"
                            + " it connects)", SLACK_HELLO_WAIT.toSeconds());
                }
            } else {
                chatEndpoints.put(SlackConfig.INTERACTIVITY_PATH, slack.interactivityHandler());
            }
        }

        // metrics and the gate
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GateMetrics metrics = new GateMetrics(registry);
        registry.gauge("airlock_lineage_queued", writer, w -> w.stats().queued());
        registry.gauge("airlock_lineage_spooled_records", writer, w -> w.stats().spoolRecords());
        registry.more().counter("airlock_lineage_backpressure_rejected", List.of(), writer, w -> w.stats().rejected());
        registry.more().counter("airlock_lineage_dead_lettered", List.of(), writer, w -> w.stats().deadLettered());
        registry.more().counter("airlock_lineage_committed", List.of(), writer, w -> w.stats().committed());
        registry.more().counter("airlock_lineage_delayed", List.of(), writer, w -> w.stats().delayed());
        registry.more().counter("airlock_lineage_transactions", List.of(), writer, w -> w.stats().transactions());
        registry.gauge("airlock_lineage_waiting", writer, w -> w.stats().waiting());
        AirlockGate gate = new AirlockGate(verifier, config.connections(), policy, approvals, writer, metrics, options.clock());

        // network
        // One group both accepts and serves: a listener's accepts run on one of the loops, and a connection it
        // hands to that same loop is registered without a cross-thread wake-up (every one with --io-threads 1, one in N with N loops).
        // A separate accept thread cost each new connection an eventfd round trip and a wake-up of its own.
        workers = new MultiThreadIoEventLoopGroup(options.ioThreads(), NioIoHandler.newFactory());
        blocking = Executors.newFixedThreadPool(4, daemon("airlock-admin-"));
        for (ListenerConfig l : config.listeners()) {
            if (l.protocol() == Protocol.HTTP) {
                HttpListenerConfig httpConfig = HttpListenerConfig.defaults(sslContext(l),
                        httpRoutes(config.connectionsOf(l.name())), l.defaultConnection().orElse(null));
                ListenerLimits lim = l.limits();
                httpConfig = httpConfig.withRequestLimits(lim.maxRequestLine().orElse(httpConfig.maxInitialLineLength()),
                        lim.maxHeaderSize().orElse(httpConfig.maxHeaderSize()))
                        .withMaxConcurrentStreams(lim.maxConcurrentStreams().orElse(httpConfig.maxConcurrentStreams()));
                if (lim.idleTimeout().isPresent()) {
                    httpConfig = httpConfig.withIdleTimeout(lim.idleTimeout().get());
                }
                if (lim.headerTimeout().isPresent()) {
                    httpConfig = httpConfig.withHeaderTimeout(lim.headerTimeout().get());
                }
                httpConfig = httpConfig.withMaxAsyncRequests(lim.maxAsyncRequests().orElse(httpConfig.maxAsyncRequests()))
                        .withMaxAsyncResponse(lim.maxAsyncResponse().orElse(httpConfig.maxAsyncResponse()));
                HttpPipelineConfigurator http = new HttpPipelineConfigurator(httpConfig,
                        gate.forListener(l.name(), l.defaultConnection()));
                httpConfigurators.add(http);
                registry.gauge("airlock_listener_connections", List.of(io.micrometer.core.instrument.Tag.of("listener", l.name())),
                        http, HttpPipelineConfigurator::activeConnections);
                registry.gauge("airlock_http_async_requests", List.of(io.micrometer.core.instrument.Tag.of("listener", l.name())),
                        http, HttpPipelineConfigurator::asyncRequests);
                registry.more().counter("airlock_http_head_timeouts", List.of(io.micrometer.core.instrument.Tag.of("listener", l.name())),
                        http, HttpPipelineConfigurator::headTimeouts);
                Channel ch = new ServerBootstrap().group(workers).channel(NioServerSocketChannel.class)
                        .handler(connectionCap(l, registry))
                        .childOption(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                        .childHandler(http)
                        .bind(new InetSocketAddress(l.bind(), l.port())).sync().channel();
                listeners.put(l.name(), ch);
                log.info("listener {} (http) on {}", l.name(), ch.localAddress());
                continue;
            }
            if (l.protocol() != Protocol.POSTGRES) {
                log.warn("listener {}: protocol {} is not served yet; skipped", l.name(), l.protocol());
                continue;
            }
            SslContext tls = sslContext(l);
            // without TLS the listener binds loopback only (checked by the config); with TLS, plaintext from loopback
            // only when the listener says so
            PostgresListenerConfig pgConfig = PostgresListenerConfig.defaults(tls, tls == null || l.plaintextOnLoopback())
                    .withMaxWaitInTransaction(l.maxWaitInTransaction());
            ListenerLimits lim = l.limits();
            if (lim.idleTimeout().isPresent()) {
                pgConfig = pgConfig.withIdleTimeout(lim.idleTimeout().get());
            }
            if (lim.startupTimeout().isPresent()) {
                pgConfig = pgConfig.withStartupTimeout(lim.startupTimeout().get());
            }
            if (lim.maxMessageSize().isPresent()) {
                pgConfig = pgConfig.withMaxFrameLength(lim.maxMessageSize().get());
            }
            PostgresPipelineConfigurator configurator = new PostgresPipelineConfigurator(pgConfig,
                    gate.forListener(l.name(), l.defaultConnection()));
            configurators.add(configurator);
            registry.gauge("airlock_listener_sessions", List.of(io.micrometer.core.instrument.Tag.of("listener", l.name())),
                    configurator, PostgresPipelineConfigurator::activeSessions);
            Channel ch = new ServerBootstrap().group(workers).channel(NioServerSocketChannel.class)
                    .handler(connectionCap(l, registry))
                    .childHandler(configurator)
                    .bind(new InetSocketAddress(l.bind(), l.port())).sync().channel();
            listeners.put(l.name(), ch);
            log.info("listener {} ({}) on {}", l.name(), l.protocol().name().toLowerCase(java.util.Locale.ROOT), ch.localAddress());
        }
        ApprovalWebPage webPage = null;
        if (config.approvals().web().isPresent()) {
            WebChannelConfig web = config.approvals().web().get();
            IdentityProviderConfig idp = web.identityProvider()
                    .flatMap(n -> config.identityProviders().stream().filter(p -> p.name().equals(n)).findFirst())
                    .orElse(config.identityProviders().get(0));
            OidcWebSignIn signIn = new OidcWebSignIn(issuerSettings(idp), web.clientId(),
                    web.clientSecret().map(Secret::reveal).orElse(null), verifier, options.clock());
            resources.add(signIn);
            webPage = new ApprovalWebPage(approvals, signIn, web.baseUrl(), options.clock());
            log.info("approval web page at {}{} (sign-in with {}, client {}; redirect URI {})", web.baseUrl(),
                    ApprovalWebPage.PREFIX, idp.name(), web.clientId(), webPage.redirectUri());
        }
        AdminHttpHandler handler = new AdminHttpHandler(() -> writer.stats().storeReachable() && policy.get() != null,
                registry::scrape, new ApprovalsApi(approvals, verifier), chatEndpoints, webPage, blocking);
        admin = new ServerBootstrap().group(workers).channel(NioServerSocketChannel.class)
                .handler(connectionCap("admin", ADMIN_MAX_CONNECTIONS, registry))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // the admin port may face the internet (Slack's and Teams' callbacks): a request must arrive
                        // whole within ADMIN_REQUEST_TIMEOUT of its first byte (408), an idle connection is closed
                        ch.pipeline().addLast("http-head-timer", new HeadTimer(ADMIN_REQUEST_TIMEOUT))
                                .addLast("http-codec", new HttpServerCodec())
                                .addLast("http-idle", new IdleStateHandler(0, 0, ADMIN_IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                                .addLast("http-keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("http-aggregator", new HttpObjectAggregator(1 << 20))
                                .addLast("http-timeouts", new HeadTimer.Responder())
                                .addLast("admin", handler);
                    }
                })
                .bind(new InetSocketAddress(config.admin().bind(), config.admin().port())).sync().channel();
        log.info("admin listener on {}", adminUrl());
        if (teams != null) {
            TeamsConfig tc = config.approvals().teams().get();
            log.info("teams: messaging endpoint at {}{} (the Azure Bot's messaging endpoint is its public https address;"
                    + " conversations {})", adminUrl(), TeamsConfig.MESSAGING_PATH,
                    tc.conversations().stream().map(TeamsConfig.Conversation::id).toList());
        }
        if (chatEndpoints.containsKey(SlackConfig.INTERACTIVITY_PATH)) {
            log.info("slack: interactivity endpoint at {}{} (the app's Request URL is its public https address; channels {})",
                    adminUrl(), SlackConfig.INTERACTIVITY_PATH, slackChannelNames(config.approvals().slack().get()));
        }
    }

    /** How long start-up waits for Slack's {@code hello} before going on without it. */
    static final Duration SLACK_HELLO_WAIT = Duration.ofSeconds(5);

    /**
     * The Slack channel for {@code approvals.channels.slack}: the configured users resolve to their directory
     * entries, email lookup (when enabled) searches the whole directory.
     */
    static SlackApprovalChannel slackChannel(SlackConfig c, List<ApproverConfig> directory, Clock clock) {
        Map<String, Identity> people = directoryPeople(directory);
        Map<String, Identity> users = new LinkedHashMap<>();
        c.users().forEach((slackId, subject) -> users.put(slackId, Objects.requireNonNull(people.get(subject), subject)));
        Map<String, String> channels = new LinkedHashMap<>();
        c.channels().forEach(ch -> channels.put(ch.name(), ch.channel()));
        String base = c.apiBaseUrl().toString();
        SlackSettings settings = new SlackSettings(c.botToken().reveal(), c.appToken().map(Secret::reveal).orElse(null),
                c.signingSecret().map(Secret::reveal).orElse(null), c.appId(), c.teamId(), base.endsWith("/") ? base : base + "/",
                users, c.emailLookup(), ApproverDirectory.of(people.values()), 3, Duration.ofSeconds(30), channels);
        return new SlackApprovalChannel(settings, clock);
    }

    /**
     * The Teams channel for {@code approvals.channels.teams}: the configured users resolve to their directory entries,
     * email lookup (when enabled) searches the whole directory.
     */
    static TeamsApprovalChannel teamsChannel(TeamsConfig c, List<ApproverConfig> directory, Clock clock) {
        Map<String, Identity> people = directoryPeople(directory);
        Map<String, Identity> users = new LinkedHashMap<>();
        c.users().forEach((objectId, subject) -> users.put(objectId, Objects.requireNonNull(people.get(subject), subject)));
        Map<String, String> conversations = new LinkedHashMap<>();
        c.conversations().forEach(cv -> conversations.put(cv.name(), cv.conversation()));
        TeamsSettings settings = new TeamsSettings(c.appId(), c.appPassword().reveal(), c.tenant(), c.serviceUrl(),
                c.loginBaseUrl(), c.openIdMetadataUrl(), users, c.emailLookup(), ApproverDirectory.of(people.values()), 3,
                Duration.ofSeconds(30), conversations);
        return new TeamsApprovalChannel(settings, clock);
    }

    /** {@code approvals.directory} as identities, by subject. */
    private static Map<String, Identity> directoryPeople(List<ApproverConfig> directory) {
        Map<String, Identity> people = new LinkedHashMap<>();
        for (ApproverConfig a : directory) {
            people.put(a.subject(), new Identity(ApproverDirectory.ISSUER, a.subject(), a.email().orElse(null), a.groups(),
                    a.email().<Map<String, Object>>map(e -> Map.of("email", e)).orElse(Map.of()), List.of()));
        }
        return people;
    }

    private static List<String> slackChannelNames(SlackConfig c) {
        return c.channels().stream().map(SlackConfig.Channel::id).toList();
    }

    /** The HTTP connector's routes for the connections of one listener: upstream, TLS, Airlock's credentials, limits. */
    static List<HttpRoute> httpRoutes(List<ConnectionConfig> connections) throws javax.net.ssl.SSLException {
        List<HttpRoute> routes = new ArrayList<>();
        for (ConnectionConfig c : connections) {
            HttpSettings h = c.http().orElseThrow();
            URI url = c.upstream().url().orElseThrow();
            SslContext ssl = null;
            if (url.getScheme().equalsIgnoreCase("https")) {
                SslContextBuilder b = SslContextBuilder.forClient();
                if (!h.upstreamTls().verify()) {
                    log.warn("connection {}: upstream certificate not verified (upstream_tls.verify: false)", c.name());
                    b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
                } else if (h.upstreamTls().ca().isPresent()) {
                    b.trustManager(h.upstreamTls().ca().get().toFile());
                }
                ssl = b.build();
            }
            Map<String, String> credentials = new LinkedHashMap<>();
            c.credentials().bearerToken().ifPresent(t -> credentials.put("Authorization", "Bearer " + t.reveal()));
            c.credentials().basic().ifPresent(b -> credentials.put("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((b.user() + ':' + b.password().reveal()).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            c.credentials().headers().forEach((k, v) -> credentials.put(k, v.reveal()));
            routes.add(new HttpRoute(c.name(), h.route().hosts(), h.route().pathPrefix(), url, ssl, h.upstreamTls().verify(),
                    credentials, h.maxBufferedBody(), h.connectTimeout(), h.responseTimeout(), h.maxIdleConnections()));
        }
        return routes;
    }

    static Validated<CompiledPolicy> loadPolicy(List<Path> files) {
        try {
            return Validated.valid(PolicyCompiler.compile(PolicyReader.readAll(files)));
        } catch (PolicyException e) {
            return Validated.invalid(e.problems().stream().map(PolicyProblem::toConfigProblem).toList());
        }
    }

    static IssuerSettings issuerSettings(IdentityProviderConfig p) {
        IssuerSettings s = p.jwksUrl().isPresent()
                ? IssuerSettings.withJwks(p.issuer().toString(), p.jwksUrl().get(), p.audiences().get(0))
                : IssuerSettings.discovered(p.issuer().toString(), p.audiences().get(0));
        Set<String> algs = p.algorithms().stream().map(SignatureAlgorithm::joseName).collect(Collectors.toSet());
        s = s.withAudiences(Set.copyOf(p.audiences())).withGroupsClaim(p.groupsClaim()).withClockSkew(p.clockSkew());
        return algs.isEmpty() ? s : s.withAlgorithms(algs);
    }

    private static SslContext sslContext(ListenerConfig l) throws Exception {
        if (l.tls().isEmpty()) {
            return null;
        }
        TlsConfig tls = l.tls().get();
        SslContextBuilder b;
        if (tls instanceof TlsConfig.Files f) {
            b = SslContextBuilder.forServer(f.certificate().toFile(), f.privateKey().toFile());
        } else {
            X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1").setIsCertificateAuthority(true).buildSelfSigned();
            log.warn("listener {}: TLS with a generated self-signed certificate (development only)", l.name());
            b = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath());
        }
        if (l.protocol() == Protocol.HTTP) {
            boolean h2 = l.limits().maxConcurrentStreams().orElse(1) > 0;
            b.applicationProtocolConfig(HttpPipelineConfigurator.alpn(h2));
            if (h2) {
                // RFC 9113 §9.2.2: TLS 1.2 suites an HTTP/2 client must refuse are not offered (TLS 1.3 ones all pass)
                b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
            }
        }
        return b.build();
    }

    /** The bound port of a listener. */
    public int port(String listener) {
        Channel ch = listeners.get(listener);
        if (ch == null) {
            throw new IllegalArgumentException("listener: '" + listener + "' (expected: one of " + listeners.keySet() + ")");
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    public URI adminUrl() {
        InetSocketAddress a = (InetSocketAddress) admin.localAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    public ApprovalService approvals() {
        return approvals;
    }

    public LineageStore lineageStore() {
        return store;
    }

    public LineageWriter lineageWriter() {
        return writer;
    }

    public CompiledPolicy policy() {
        return policy.get().policy();
    }

    /** Default of {@code limits.max_connections}, per listener. */
    static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** The listener's connection cap ({@code limits.max_connections}), with its pause counter on /metrics. */
    private static ConnectionCap connectionCap(ListenerConfig l, PrometheusMeterRegistry registry) {
        return connectionCap(l.name(), l.limits().maxConnections().orElse(DEFAULT_MAX_CONNECTIONS), registry);
    }

    private static ConnectionCap connectionCap(String listener, int max, PrometheusMeterRegistry registry) {
        ConnectionCap cap = new ConnectionCap(listener, max);
        registry.more().counter("airlock_listener_accept_pauses", List.of(io.micrometer.core.instrument.Tag.of("listener", listener)),
                cap, ConnectionCap::pauses);
        return cap;
    }

    /** Agent sessions or HTTP connections still open. */
    private boolean busy() {
        return configurators.stream().anyMatch(c -> c.activeSessions() > 0)
                || httpConfigurators.stream().anyMatch(h -> h.activeConnections() > 0);
    }

    /** Stops accepting, lets sessions drain for the grace period, cancels pending approvals, releases everything. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        listeners.values().forEach(ch -> ch.close().awaitUninterruptibly());
        // idle sessions are told (FATAL 57P01) and closed now, busy ones at the end of their transaction
        configurators.forEach(PostgresPipelineConfigurator::shutdown);
        // HTTP: idle connections close now, busy ones after their request (Connection: close, or GOAWAY for HTTP/2)
        httpConfigurators.forEach(HttpPipelineConfigurator::shutdown);
        if (options != null) {
            long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
            while (busy() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50); // shutdown path only, never on an event loop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (approvals != null) {
            try {
                for (StoredApproval s : approvals.pending()) {
                    if (s.request().owner().equals(options.replicaId())) {
                        approvals.cancel(s.id(), "Airlock is shutting down");
                    }
                }
            } catch (RuntimeException e) {
                log.warn("cancelling pending approvals failed", e);
            }
        }
        if (slackSocket != null) {
            slackSocket.close(); // no more clicks; the cards of the requests just cancelled are still updated
        }
        if (approvals != null) {
            // the sessions whose approval was just cancelled get their error and close; give them a moment
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (busy() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20); // shutdown path only, never on an event loop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        configurators.forEach(PostgresPipelineConfigurator::close);
        if (admin != null) {
            admin.close().awaitUninterruptibly();
        }
        for (HttpPipelineConfigurator h : httpConfigurators) {
            h.close(); // upstream pools and the resolver, while their event loops still run
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (blocking != null) {
            blocking.shutdownNow();
        }
        if (approvals != null) {
            approvals.close(); // waits for its workers, which post the last card updates
        }
        if (slack != null) {
            slack.close();
        }
        if (teams != null) {
            teams.close();
        }
        if (registry != null) {
            registry.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", resources.get(i).getClass().getSimpleName(), e);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
