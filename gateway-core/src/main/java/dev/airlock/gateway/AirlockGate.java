package dev.airlock.gateway;

import dev.airlock.approvals.ApprovalContext;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageEvent;
import dev.airlock.audit.LineageIds;
import dev.airlock.audit.LineageWriter;
import dev.airlock.audit.ObjectAccess;
import dev.airlock.audit.RecordBudget;
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.SessionEnded;
import dev.airlock.audit.SessionRefused;
import dev.airlock.audit.SessionStarted;
import dev.airlock.config.ConnectionConfig;
import dev.airlock.config.Secret;
import dev.airlock.connectors.spi.AdmissionListener;
import dev.airlock.connectors.spi.AwaitingApproval;
import dev.airlock.connectors.spi.ClientInfo;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Credential;
import dev.airlock.connectors.spi.Failure;
import dev.airlock.connectors.spi.Gate;
import dev.airlock.connectors.spi.GateRejectedException;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Session;
import dev.airlock.connectors.spi.UpstreamTarget;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.gateway.identity.TokenRejectedException;
import dev.airlock.gateway.identity.TokenVerifier;
import dev.airlock.policy.Action;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.PreparedChange;
import dev.airlock.policy.sql.PreparedStatements;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate every connector asks: token → {@link Identity}, then per command analyse → decide → (approval) →
 * record → {@link Verdict}. Nothing here blocks: the policy engine is pure and runs on the caller's thread,
 * token checks, lineage commits and approvals complete their stages on their own threads.
 *
 * <p>Lineage: a plain allow is queued (batched, spooled when the store is down); anything else — a denial,
 * an approval request — is committed before the verdict, and when the store cannot confirm in time the
 * command is refused ({@link Failure#UNAVAILABLE}): fail closed.
 */
public final class AirlockGate {

    private static final Logger log = LoggerFactory.getLogger(AirlockGate.class);

    /** The answer to most statements: shared, one allocation less per statement (completing it again is a no-op). */
    private static final CompletableFuture<Verdict> ALLOWED = CompletableFuture.completedFuture(Verdict.ALLOW);

    private final TokenVerifier verifier;
    private final Map<String, ConnectionConfig> connections;
    private final AtomicReference<PolicySnapshot> policy;
    private final ApprovalService approvals;
    private final LineageWriter lineage;
    private final GateMetrics metrics;
    /** At most this many refused connections are recorded one by one per minute; the rest are counted. */
    static final int REFUSALS_PER_MINUTE = 600;
    private final RecordBudget refusalBudget;
    /** Open sessions per agent on connections with {@code max_sessions_per_agent}. */
    private final ConcurrentHashMap<AgentKey, Integer> openSessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public AirlockGate(TokenVerifier verifier, List<ConnectionConfig> connections, AtomicReference<PolicySnapshot> policy,
                       ApprovalService approvals, LineageWriter lineage, GateMetrics metrics, Clock clock) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        Map<String, ConnectionConfig> m = new java.util.LinkedHashMap<>();
        connections.forEach(c -> m.put(c.name(), c));
        this.connections = Map.copyOf(m);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.approvals = Objects.requireNonNull(approvals, "approvals");
        this.lineage = Objects.requireNonNull(lineage, "lineage");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.refusalBudget = new RecordBudget(REFUSALS_PER_MINUTE, clock);
    }

    /**
     * The gate as seen by one listener: it reaches only the connections bound to {@code listener}, and a client
     * that names none gets {@code defaultConnection}.
     */
    public Gate forListener(String listener, Optional<String> defaultConnection) {
        return new ListenerGate(listener, defaultConnection.orElse(null));
    }

    /** The session the gate hands out; carries the lineage ids and the command → action map. */
    static final class GateSession implements Session {
        final UUID sessionId;
        final Identity identity;
        final ConnectionRef connection;
        final UpstreamTarget upstream;
        final GateMetrics.Listener metrics;
        /** The client's {@code application_name} (HTTP: its User-Agent), or {@code null}; context for approvers. */
        final String applicationName;
        /** Admitted commands (by instance) → their lineage action id; touched on the connection's event loop. */
        final Map<Command, Admitted> admitted = new IdentityHashMap<>();
        /**
         * The SQL-level prepared statements (name → statement text) this session is sure the upstream holds, so that
         * {@code EXECUTE name} is decided as what it runs. Only names whose {@code PREPARE} ran successfully, dropped
         * as soon as a command that may change them is admitted; never for a pooled connection, where an upstream
         * backend's prepared statements may be another session's.
         */
        private final Map<String, String> preparedSql = new HashMap<>();

        /** Where this session is counted against {@code max_sessions_per_agent}, or {@code null}: no limit. */
        final AgentKey agentKey;
        private final AtomicBoolean released = new AtomicBoolean();

        GateSession(UUID sessionId, Identity identity, ConnectionRef connection, UpstreamTarget upstream,
                    GateMetrics.Listener metrics, String applicationName, AgentKey agentKey) {
            this.agentKey = agentKey;
            this.sessionId = sessionId;
            this.identity = identity;
            this.connection = connection;
            this.upstream = upstream;
            this.metrics = metrics;
            this.applicationName = applicationName;
        }

        @Override
        public String id() {
            return sessionId.toString();
        }

        @Override
        public Identity identity() {
            return identity;
        }

        @Override
        public ConnectionRef connection() {
            return connection;
        }

        @Override
        public UpstreamTarget upstream() {
            return upstream;
        }

        synchronized void remember(Command c, Admitted a) {
            if (admitted.size() >= 4096) {
                admitted.clear(); // prepared but never run; their actions stay recorded without a result
            }
            admitted.put(c, a);
        }

        synchronized Admitted forget(Command c) {
            return admitted.remove(c);
        }

        /** What the analyser may ask about {@code EXECUTE}: nothing for a pooled connection. */
        PreparedStatements preparedStatements() {
            return upstream.pool() != null ? PreparedStatements.NONE : this::preparedStatement;
        }

        private synchronized String preparedStatement(String name) {
            return preparedSql.get(name);
        }

        /**
         * A protocol-level Parse may name a prepared statement, and the same names are the SQL ones: which statements
         * the names stand for is no longer known.
         */
        synchronized void forgetPreparedStatements() {
            preparedSql.clear();
        }

        /** A command that may change these names is on its way: until it has run, none of them is known. */
        synchronized void preparedStatementsChanging(List<PreparedChange> changes) {
            for (PreparedChange c : changes) {
                if (c instanceof PreparedChange.Prepare p) {
                    preparedSql.remove(p.name());
                } else if (c instanceof PreparedChange.Deallocate d) {
                    preparedSql.remove(d.name());
                } else {
                    preparedSql.clear();
                }
            }
        }

        /** The command ran to completion: every statement of it did what it says. */
        synchronized void preparedStatementsChanged(List<PreparedChange> changes) {
            for (PreparedChange c : changes) {
                if (c instanceof PreparedChange.Prepare p) {
                    if (preparedSql.size() < MAX_PREPARED || preparedSql.containsKey(p.name())) {
                        preparedSql.put(p.name(), p.statement());
                    }
                } else if (c instanceof PreparedChange.Deallocate d) {
                    preparedSql.remove(d.name());
                } else {
                    preparedSql.clear();
                }
            }
        }
    }

    /** Prepared statements tracked per session; past that, an {@code EXECUTE} of a newer one stays unparsed. */
    static final int MAX_PREPARED = 1024;

    /** An admitted command: its lineage action id, and what it does to the session's prepared statements when it runs. */
    record Admitted(UUID actionId, List<PreparedChange> preparedChanges) {
    }

    private final class ListenerGate implements Gate {
        private final String listener;
        private final String defaultConnection;

        ListenerGate(String listener, String defaultConnection) {
            this.listener = listener;
            this.defaultConnection = defaultConnection;
        }

        @Override
        public CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client) {
            return AirlockGate.this.authenticate(listener, defaultConnection, credential, connection, client);
        }

        @Override
        public CompletionStage<Verdict> admit(Session session, Command command, AdmissionListener l) {
            return AirlockGate.this.admit((GateSession) session, command, l);
        }

        @Override
        public void report(Session session, Command command, Outcome outcome) {
            AirlockGate.this.report((GateSession) session, command, outcome);
        }

        @Override
        public UUID newCommandId() {
            return LineageIds.next();
        }

        @Override
        public void sessionClosed(Session session, String reason) {
            AirlockGate.this.sessionClosed((GateSession) session, reason);
        }
    }

    // ------------------------------------------------------------------ authenticate

    CompletionStage<Session> authenticate(String listener, String defaultConnection, Credential credential,
                                          String requested, ClientInfo client) {
        String name = requested == null || requested.isEmpty() ? defaultConnection : requested;
        return verifyAndOpen(listener, name, credential, client).whenComplete((s, x) -> {
            if (x != null && unwrap(x) instanceof GateRejectedException r) {
                recordRefusal(SessionRefused.of(listener, name, client.protocol(), String.valueOf(client.remote()),
                        client.attributes().get("application_name"), r.failure().name().toLowerCase(Locale.ROOT),
                        r.getMessage()));
            }
        });
    }

    /** Verifies the token and opens a session on connection {@code name} (or {@code null}: none named, no default). */
    private CompletionStage<Session> verifyAndOpen(String listener, String name, Credential credential, ClientInfo client) {
        ConnectionConfig conn = name == null ? null : connections.get(name);
        GateMetrics.Listener lm = metrics.forListener(listener);
        if (conn == null || !conn.listener().equals(listener) || conn.protocol() != client.protocol()) {
            lm.sessionRejected("unknown_connection");
            return CompletableFuture.failedFuture(new GateRejectedException(Failure.UNKNOWN_CONNECTION,
                    "no Airlock connection \"" + name + "\" on this listener",
                    "Use one of: " + String.join(", ", connections.values().stream()
                            .filter(c -> c.listener().equals(listener)).map(ConnectionConfig::name).sorted().toList())));
        }
        CompletionStage<Identity> verified;
        try {
            verified = verifier.verify(credential.token());
        } catch (RuntimeException e) {
            verified = CompletableFuture.failedFuture(e);
        }
        return verified.handle((identity, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                if (cause instanceof TokenRejectedException t) {
                    lm.sessionRejected(t.rejection().code());
                    throw new GateRejectedException(t.rejection().isTransient() ? Failure.UNAVAILABLE : Failure.AUTHENTICATION_FAILED,
                            "token rejected: " + t.getMessage(), "Present a fresh OIDC access token as the password.");
                }
                lm.sessionRejected("error");
                throw new GateRejectedException(Failure.UNAVAILABLE, "identity verification failed", "Try again later.");
            }
            ConnectionRef ref = new ConnectionRef(conn.name(), conn.protocol(), conn.labels());
            AgentKey key = conn.maxSessionsPerAgent() > 0
                    ? new AgentKey(conn.name(), identity.issuer(), identity.actingSubject()) : null;
            if (key != null && !reserveSession(key, conn.maxSessionsPerAgent())) {
                lm.sessionRejected("too_many_sessions");
                throw new GateRejectedException(Failure.TOO_MANY_SESSIONS, "too many sessions for agent \""
                        + identity.actingSubject() + "\" on connection \"" + conn.name() + "\" (at most "
                        + conn.maxSessionsPerAgent() + " at once)",
                        "Close idle sessions or reuse one; an admin can raise connections[].max_sessions_per_agent.");
            }
            GateSession s = new GateSession(LineageIds.next(), identity, ref, upstreamTarget(conn), lm,
                    client.attributes().get("application_name"), key);
            // while the lineage queue is full the session waits for room, and is refused if none comes in time
            return lineage.enqueue(SessionStarted.of(s.sessionId, identity, conn.name(), conn.protocol(),
                    String.valueOf(client.remote()), client.attributes().get("application_name")))
                    .handle((v, e) -> {
                        if (e != null) {
                            releaseSession(s);
                            lm.sessionRejected("lineage_unavailable");
                            throw new GateRejectedException(Failure.UNAVAILABLE, "Airlock cannot record this session now: "
                                    + "the lineage store is not keeping up", "Try again later.");
                        }
                        lm.sessionOpened(conn.name());
                        return (Session) s;
                    });
        }).thenCompose(stage -> stage);
    }

    /** Where and how Airlock logs in for a database connection: its own credentials, TLS mode, pooling. */
    static UpstreamTarget upstreamTarget(ConnectionConfig conn) {
        UpstreamTarget.TlsMode tls = switch (conn.tls().mode()) {
            case DISABLE -> UpstreamTarget.TlsMode.DISABLE;
            case REQUIRE -> UpstreamTarget.TlsMode.REQUIRE;
            case VERIFY_FULL -> UpstreamTarget.TlsMode.VERIFY_FULL;
        };
        return new UpstreamTarget(conn.upstream().host(), conn.upstream().port(), conn.database().orElse(conn.name()),
                conn.login().orElse("postgres"), conn.credentials().password().map(Secret::reveal).orElse(null), tls,
                conn.tls().rootCert().orElse(null),
                conn.pool().map(p -> new UpstreamTarget.Pool(p.size(), p.idleTimeout())).orElse(null));
    }

    // ------------------------------------------------------------------ admit

    CompletionStage<Verdict> admit(GateSession session, Command command, AdmissionListener listener) {
        long start = System.nanoTime();
        PolicySnapshot snap = policy.get();
        Action action;
        Decision decision;
        List<PreparedChange> preparedChanges = List.of();
        try {
            if (command.action() != null) {
                action = ownAction(session, command);
            } else {
                if (command.kind() == Command.Kind.SQL_PREPARE) {
                    session.forgetPreparedStatements();
                }
                SqlAnalysis analysis = snap.analyzer().analyze(command.text(), true, session.preparedStatements());
                action = new SqlAction(session.connection.name(), session.connection.protocol(), command.text(),
                        command.parameters(), analysis);
                if (command.kind() != Command.Kind.SQL_PREPARE && changesPreparedStatements(analysis)) {
                    preparedChanges = snap.analyzer().preparedChanges(command.text());
                    session.preparedStatementsChanging(preparedChanges);
                }
            }
            decision = action instanceof SqlAction sql ? decideEachStatement(snap, session, sql, clock.instant())
                    : snap.policy().decide(session.identity, session.connection, action, clock.instant());
        } catch (RuntimeException e) {
            log.warn("session {}: deciding failed; refusing", session.id(), e);
            return CompletableFuture.completedFuture(Verdict.deny(Failure.UNAVAILABLE,
                    "Airlock could not decide on this " + noun(command), null, null, "Try again later."));
        }
        if (command.kind() == Command.Kind.SQL_PREPARE && decision.effect() != Effect.DENY) {
            // decided again, with parameters, and recorded when it runs
            session.metrics.decided(System.nanoTime() - start);
            return ALLOWED;
        }
        session.metrics.decision(session.connection.name(), decision.effect());
        // time-ordered (cheap primary-key inserts in the lineage store); an HTTP request brings its own, which the
        // connector took from this gate too (newCommandId)
        UUID actionId = command.id() != null ? command.id() : LineageIds.next();
        Instant at = clock.instant();
        ActionRecorded act = new ActionRecorded(LineageIds.next(), at, actionId, session.sessionId, action,
                ActionRecorded.objectsOf(action));
        DecisionRecorded dec = new DecisionRecorded(LineageIds.next(), at, actionId, decision);
        switch (decision.effect()) {
            case ALLOW -> {
                session.remember(command, new Admitted(actionId, preparedChanges));
                // queued (not yet durable) before the command runs; while the lineage queue is full the command
                // waits for room (back-pressure on the agent), and is refused if none comes in time: running it
                // unrecorded would be failing open
                CompletableFuture<Void> queued = lineage.enqueue(act).toCompletableFuture()
                        .thenCompose(v -> lineage.enqueue(dec));
                if (queued.isDone() && !queued.isCompletedExceptionally()) {
                    session.metrics.decided(System.nanoTime() - start);
                    return ALLOWED;
                }
                return queued.handle((v, e) -> {
                    session.metrics.decided(System.nanoTime() - start);
                    if (e == null) {
                        return Verdict.ALLOW;
                    }
                    log.warn("session {}: lineage store cannot keep up; refusing action {}", session.id(), actionId);
                    session.forget(command);
                    return Verdict.deny(Failure.UNAVAILABLE, "Airlock cannot record this " + noun(command)
                            + " now: the lineage store is not keeping up", decision.decidingRule(), actionId.toString(),
                            "Try again later.");
                });
            }
            case DENY -> {
                Verdict deny = Verdict.deny(Failure.POLICY_DENIED, decision.explanation(), decision.decidingRule(),
                        actionId.toString(), decision.hint());
                return durably(act, dec).handle((v, e) -> {
                    if (e != null) {
                        log.warn("session {}: denial of action {} not confirmed by the lineage store", session.id(), actionId, e);
                    }
                    session.metrics.decided(System.nanoTime() - start);
                    return deny;
                });
            }
            default -> {
                session.remember(command, new Admitted(actionId, preparedChanges));
                return requestApproval(snap, session, command, action, decision, actionId, act, dec, listener, start);
            }
        }
    }

    /** Whether a statement of the string may change the session's SQL-level prepared statements. */
    private static boolean changesPreparedStatements(SqlAnalysis analysis) {
        for (SqlStatement st : analysis.statements()) {
            String type = st.type();
            if (type.equals("PREPARE") || type.equals("DEALLOCATE") || type.equals("DISCARD")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The policy's decision for the whole string, and for a multi-statement string also for each statement on its own:
     * the strictest wins (deny, then require_approval, then allow; the whole string's on a tie), so a rule that allows
     * one kind of statement cannot carry another statement of the same string with it.
     */
    static Decision decideEachStatement(PolicySnapshot snap, GateSession session, SqlAction action, Instant now) {
        Decision whole = snap.policy().decide(session.identity, session.connection, action, now);
        List<dev.airlock.policy.sql.SqlStatement> statements = action.analysis().statements();
        if (statements.size() < 2 || whole.effect() == Effect.DENY) {
            return whole;
        }
        Decision strictest = whole;
        for (dev.airlock.policy.sql.SqlStatement st : statements) {
            SqlAction one = new SqlAction(action.connection(), action.protocol(), action.text(), action.parameters(),
                    new dev.airlock.policy.sql.SqlAnalysis(List.of(st), action.analysis().fingerprint()));
            Decision d = snap.policy().decide(session.identity, session.connection, one, now);
            if (rank(d.effect()) > rank(strictest.effect())) {
                strictest = d;
                if (d.effect() == Effect.DENY) {
                    break;
                }
            }
        }
        return strictest;
    }

    private static int rank(Effect e) {
        return switch (e) {
            case ALLOW -> 0;
            case REQUIRE_APPROVAL -> 1;
            case DENY -> 2;
        };
    }


    /** The action a connector described itself (HTTP), checked against the session it arrived on. */
    private static Action ownAction(GateSession session, Command command) {
        Action a = command.action();
        if (!a.connection().equals(session.connection.name()) || a.protocol() != session.connection.protocol()) {
            throw new IllegalArgumentException("command action: " + a.protocol().yamlName() + " on " + a.connection()
                    + " (expected: " + session.connection.protocol().yamlName() + " on " + session.connection.name() + ")");
        }
        return a;
    }

    /** What the agent calls the command in messages. */
    private static String noun(Command command) {
        return command.kind() == Command.Kind.HTTP_REQUEST ? "request" : "statement";
    }

    /** Tables (written, then read) of a SQL action; the data objects of any other. */
    private static List<String> targets(Action action) {
        List<String> targets = new ArrayList<>();
        if (action instanceof SqlAction sql) {
            for (TableRef t : sql.analysis().tablesWritten()) {
                targets.add(t.toString());
            }
            for (TableRef t : sql.analysis().tablesRead()) {
                targets.add(t.toString());
            }
        } else {
            for (ObjectAccess o : ActionRecorded.objectsOf(action)) {
                targets.add(o.object().display());
            }
        }
        return targets;
    }

    private CompletionStage<Verdict> requestApproval(PolicySnapshot snap, GateSession session, Command command, Action action, Decision decision,
                                                     UUID actionId, ActionRecorded act, DecisionRecorded dec,
                                                     AdmissionListener listener, long start) {
        CompletableFuture<Verdict> result = new CompletableFuture<>();
        AtomicReference<PendingApproval> pending = new AtomicReference<>();
        // The connector cancels the stage when the agent cancels or goes away: cancel the request with it.
        result.whenComplete((v, e) -> {
            if (e instanceof CancellationException) {
                PendingApproval p = pending.get();
                if (p != null) {
                    p.cancel(false);
                }
                session.metrics.approval("cancelled");
            }
        });
        dev.airlock.config.policy.ApprovalProfile cp = snap.policy().approvalProfiles().get(decision.approvalProfile());
        durably(act, dec).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("session {}: action {} not confirmed by the lineage store; refusing", session.id(), actionId, e);
                session.forget(command);
                result.complete(Verdict.deny(Failure.UNAVAILABLE, "Airlock could not record this " + noun(command) + " durably",
                        decision.decidingRule(), actionId.toString(), "Try again later."));
                return;
            }
            if (result.isDone()) {
                return;
            }
            if (cp == null) {
                result.complete(Verdict.deny(Failure.UNAVAILABLE, "approval profile " + decision.approvalProfile()
                        + " is not defined", decision.decidingRule(), actionId.toString(), null));
                return;
            }
            ApprovalProfile profile = toApprovalProfile(cp);
            List<String> targets = targets(action);
            PendingApproval p;
            try {
                p = approvals.request(action, session.identity, profile, new ApprovalContext(session.connection,
                        decision.policyVersion(), decision.matchedRules(), decision.explanation(),
                        RequesterContext.statedReason(command, session.applicationName), null, targets,
                        session.sessionId, actionId));
            } catch (RuntimeException ex) {
                log.warn("session {}: approval request for action {} failed", session.id(), actionId, ex);
                result.complete(Verdict.deny(Failure.UNAVAILABLE, "Airlock could not open an approval request",
                        decision.decidingRule(), actionId.toString(), "Try again later."));
                return;
            }
            pending.set(p);
            if (result.isCancelled()) {
                p.cancel(false);
                return;
            }
            session.metrics.decided(System.nanoTime() - start);
            long asked = System.nanoTime();
            try {
                listener.awaitingApproval(new AwaitingApproval(p.requestId(), profile.channels(),
                        clock.instant().plus(profile.timeout())));
            } catch (RuntimeException ex) {
                log.debug("awaiting-approval notice failed", ex);
            }
            p.whenComplete((o, pe) -> {
                session.metrics.waited(System.nanoTime() - asked);
                if (pe != null) {
                    if (!(pe instanceof CancellationException)) {
                        log.warn("approval request {} failed", p.requestId(), pe);
                        result.complete(Verdict.deny(Failure.UNAVAILABLE, "the approval request failed",
                                decision.decidingRule(), p.requestId(), "Try again later."));
                    }
                    return;
                }
                session.metrics.approval(o.state().wireName());
                result.complete(verdictOf(o, decision, noun(command)));
            });
        });
        return result;
    }

    private static Verdict verdictOf(ApprovalOutcome o, Decision decision, String noun) {
        String rule = decision.decidingRule();
        if (o instanceof ApprovalOutcome.Approved) {
            return Verdict.ALLOW;
        }
        if (o instanceof ApprovalOutcome.Denied d) {
            return Verdict.deny(Failure.APPROVAL_DENIED, d.describe(), rule, o.requestId(), "An approver refused this " + noun + ".");
        }
        if (o instanceof ApprovalOutcome.Expired) {
            return Verdict.deny(Failure.APPROVAL_EXPIRED, "approval request " + o.requestId() + " expired without a decision",
                    rule, o.requestId(), "Ask an approver, then " + (noun.equals("request") ? "send the request" : "run the statement")
                            + " again.");
        }
        return Verdict.deny(Failure.APPROVAL_CANCELLED, o.describe(), rule, o.requestId(), null);
    }

    /** The approvals module's profile for a policy file's profile. */
    public static ApprovalProfile toApprovalProfile(dev.airlock.config.policy.ApprovalProfile p) {
        return new ApprovalProfile(p.name(), new ApprovalProfile.Approvers(java.util.Set.copyOf(p.approverGroups()),
                java.util.Set.copyOf(p.approverUsers())), p.quorum(), p.timeout(), p.remindAfter(), p.grantWindow(),
                p.channels());
    }

    /**
     * Queues a record that nothing waits for (a result, a session's end). While the queue is full it waits for room
     * like every other record; should none come within the durable timeout the record is lost, and said so loudly.
     */
    private void record(LineageEvent e) {
        lineage.enqueue(e).whenComplete((v, x) -> {
            if (x != null) {
                log.error("LINEAGE RECORD LOST: {} {}: {}", e.getClass().getSimpleName(), e.recordId(), x.toString());
            }
        });
    }

    /**
     * Records a refused connection. Whoever reaches a port can cause refusals, so they may not flood the store: past
     * {@value #REFUSALS_PER_MINUTE} a minute they are only counted, and the count is recorded (as a refusal with
     * failure {@code suppressed}) with the first refusal of a later minute. Nor do they wait for queue room: while the
     * queue is full a refusal is counted ({@code airlock_lineage_refusals_unrecorded_total}) and logged instead, so
     * that refusals never hold back the records of admitted sessions.
     */
    private void recordRefusal(SessionRefused refused) {
        RecordBudget.Admission admission = refusalBudget.take();
        if (admission.suppressedBefore() > 0) {
            appendRefusal(SessionRefused.of(refused.listener(), null, refused.protocol(), null, null, "suppressed",
                    admission.suppressedBefore() + " more refused connections (all listeners) in the last minute that had "
                            + "refusals were not recorded one by one (more than " + REFUSALS_PER_MINUTE + " a minute)"));
        }
        if (admission.record()) {
            appendRefusal(refused);
        } else {
            metrics.refusalUnrecorded();
        }
    }

    private void appendRefusal(SessionRefused refused) {
        lineage.append(refused).whenComplete((v, x) -> {
            if (x != null) {
                metrics.refusalUnrecorded();
                log.warn("connection refusal not recorded ({}): listener {} from {}: {}", x.toString(), refused.listener(),
                        refused.clientAddress(), refused.reason());
            }
        });
    }

    private CompletableFuture<Void> durably(LineageEvent a, LineageEvent b) {
        CompletableFuture<Void> first = lineage.appendCommitted(a).toCompletableFuture();
        CompletableFuture<Void> second = lineage.appendCommitted(b).toCompletableFuture();
        return CompletableFuture.allOf(first, second);
    }

    // ------------------------------------------------------------------ report / close

    void report(GateSession session, Command command, Outcome outcome) {
        try {
            Admitted a = session.forget(command);
            if (a == null) {
                return;
            }
            if (!a.preparedChanges().isEmpty() && !outcome.failed()) {
                session.preparedStatementsChanged(a.preparedChanges());
            }
            if (command.kind() == Command.Kind.HTTP_REQUEST) {
                record(ResultRecorded.http(a.actionId(), httpStatus(outcome.tag()),
                        outcome.bytes() < 0 ? null : outcome.bytes(), outcome.duration(), outcome.errorCode()));
                return;
            }
            record(new ResultRecorded(LineageIds.next(), clock.instant(), a.actionId(), outcome.rows() < 0 ? null : outcome.rows(),
                    outcome.duration(), outcome.errorCode(), outcome.failed() ? errorMessage(outcome) : null));
        } catch (RuntimeException e) {
            log.warn("session {}: recording a result failed", session.id(), e);
        }
    }

    /** Longest upstream error message recorded: it may quote the agent's input. */
    static final int MAX_ERROR_MESSAGE = 2000;

    /** The upstream's error message, bounded. */
    private static String errorMessage(Outcome outcome) {
        String m = outcome.errorMessage();
        return m == null || m.length() <= MAX_ERROR_MESSAGE ? m : m.substring(0, MAX_ERROR_MESSAGE - 1) + "…";
    }

    /** One agent's open sessions on one connection: the unit of {@code max_sessions_per_agent}. */
    record AgentKey(String connection, String issuer, String agent) {
    }

    /** Counts a session against its agent's limit; {@code false} (and nothing counted) when the limit is reached. */
    private boolean reserveSession(AgentKey key, int limit) {
        boolean[] reserved = {false};
        openSessions.compute(key, (k, n) -> {
            int open = n == null ? 0 : n;
            if (open >= limit) {
                return n;
            }
            reserved[0] = true;
            return open + 1;
        });
        return reserved[0];
    }

    /** Gives the session's place back (once, however often it is closed). */
    private void releaseSession(GateSession session) {
        if (session.agentKey != null && session.released.compareAndSet(false, true)) {
            openSessions.computeIfPresent(session.agentKey, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    void sessionClosed(GateSession session, String reason) {
        releaseSession(session);
        try {
            session.metrics.sessionClosed();
            record(SessionEnded.of(session.sessionId, reason));
        } catch (RuntimeException e) {
            log.warn("session {}: recording its end failed", session.id(), e);
        }
    }

    /** An HTTP outcome's tag is its status code; anything else is a connector bug, recorded as 502. */
    private static int httpStatus(String tag) {
        try {
            int status = Integer.parseInt(tag);
            return status >= 100 && status <= 999 ? status : 502;
        } catch (NumberFormatException e) {
            return 502;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static Instant now(Clock c) {
        return c.instant();
    }
}
