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
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.SessionEnded;
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
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.TableRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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

    private final TokenVerifier verifier;
    private final Map<String, ConnectionConfig> connections;
    private final AtomicReference<PolicySnapshot> policy;
    private final ApprovalService approvals;
    private final LineageWriter lineage;
    private final GateMetrics metrics;
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
        /** Admitted commands (by instance) → their lineage action id; touched on the connection's event loop. */
        final Map<Command, Admitted> admitted = new IdentityHashMap<>();

        GateSession(UUID sessionId, Identity identity, ConnectionRef connection, UpstreamTarget upstream) {
            this.sessionId = sessionId;
            this.identity = identity;
            this.connection = connection;
            this.upstream = upstream;
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
    }

    record Admitted(UUID actionId) {
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
        public void sessionClosed(Session session, String reason) {
            AirlockGate.this.sessionClosed((GateSession) session, reason);
        }
    }

    // ------------------------------------------------------------------ authenticate

    CompletionStage<Session> authenticate(String listener, String defaultConnection, Credential credential,
                                          String requested, ClientInfo client) {
        String name = requested == null || requested.isEmpty() ? defaultConnection : requested;
        ConnectionConfig conn = name == null ? null : connections.get(name);
        if (conn == null || !conn.listener().equals(listener) || conn.protocol() != client.protocol()) {
            metrics.sessionRejected("unknown_connection");
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
                    metrics.sessionRejected(t.rejection().code());
                    throw new GateRejectedException(t.rejection().isTransient() ? Failure.UNAVAILABLE : Failure.AUTHENTICATION_FAILED,
                            "token rejected: " + t.getMessage(), "Present a fresh OIDC access token as the password.");
                }
                metrics.sessionRejected("error");
                throw new GateRejectedException(Failure.UNAVAILABLE, "identity verification failed", "Try again later.");
            }
            ConnectionRef ref = new ConnectionRef(conn.name(), conn.protocol(), conn.labels());
            UpstreamTarget target = new UpstreamTarget(conn.upstream().host(), conn.upstream().port(),
                    conn.database().orElse(conn.name()), conn.login().orElse("postgres"),
                    conn.credentials().password().map(Secret::reveal).orElse(null), UpstreamTarget.TlsMode.DISABLE);
            GateSession s = new GateSession(LineageIds.next(), identity, ref, target);
            return lineage.enqueue(SessionStarted.of(s.sessionId, identity, conn.name(), conn.protocol(),
                    String.valueOf(client.remote()), client.attributes().get("application_name")))
                    .handle((v, e) -> {
                        if (e != null) {
                            metrics.sessionRejected("lineage_unavailable");
                            throw new GateRejectedException(Failure.UNAVAILABLE, "Airlock cannot record this session now: "
                                    + "the lineage store is not keeping up", "Try again later.");
                        }
                        metrics.sessionOpened(conn.name());
                        return (Session) s;
                    });
        }).thenCompose(stage -> stage);
    }

    // ------------------------------------------------------------------ admit

    CompletionStage<Verdict> admit(GateSession session, Command command, AdmissionListener listener) {
        long start = System.nanoTime();
        PolicySnapshot snap = policy.get();
        SqlAction action;
        Decision decision;
        try {
            action = new SqlAction(session.connection.name(), session.connection.protocol(), command.text(),
                    command.parameters(), snap.analyzer().analyze(command.text()));
            decision = snap.policy().decide(session.identity, session.connection, action, clock.instant());
        } catch (RuntimeException e) {
            log.warn("session {}: deciding failed; refusing", session.id(), e);
            return CompletableFuture.completedFuture(Verdict.deny(Failure.UNAVAILABLE,
                    "Airlock could not decide on this statement", null, null, "Try again later."));
        }
        if (command.kind() == Command.Kind.SQL_PREPARE && decision.effect() != Effect.DENY) {
            // decided again, with parameters, and recorded when it runs
            metrics.decided(System.nanoTime() - start);
            return CompletableFuture.completedFuture(Verdict.ALLOW);
        }
        metrics.decision(session.connection.name(), decision.effect().yamlName());
        UUID actionId = LineageIds.next(); // time-ordered: cheap primary-key inserts in the lineage store
        ActionRecorded act = ActionRecorded.of(actionId, session.sessionId, action);
        DecisionRecorded dec = DecisionRecorded.of(actionId, decision);
        switch (decision.effect()) {
            case ALLOW -> {
                session.remember(command, new Admitted(actionId));
                // queued (not yet durable) before the statement runs; while the lineage queue is full the
                // statement waits for room (back-pressure on the agent), and is refused if none comes in time:
                // running it unrecorded would be failing open
                CompletableFuture<Void> queued = lineage.enqueue(act).toCompletableFuture()
                        .thenCompose(v -> lineage.enqueue(dec));
                if (queued.isDone() && !queued.isCompletedExceptionally()) {
                    metrics.decided(System.nanoTime() - start);
                    return CompletableFuture.completedFuture(Verdict.ALLOW);
                }
                return queued.handle((v, e) -> {
                    metrics.decided(System.nanoTime() - start);
                    if (e == null) {
                        return Verdict.ALLOW;
                    }
                    session.forget(command);
                    return Verdict.deny(Failure.UNAVAILABLE,
                            "Airlock cannot record this statement now: the lineage store is not keeping up",
                            decision.decidingRule(), actionId.toString(), "Try again later.");
                });
            }
            case DENY -> {
                Verdict deny = Verdict.deny(Failure.POLICY_DENIED, decision.explanation(), decision.decidingRule(),
                        actionId.toString(), decision.hint());
                return durably(act, dec).handle((v, e) -> {
                    if (e != null) {
                        log.warn("session {}: denial of action {} not confirmed by the lineage store", session.id(), actionId, e);
                    }
                    metrics.decided(System.nanoTime() - start);
                    return deny;
                });
            }
            default -> {
                session.remember(command, new Admitted(actionId));
                return requestApproval(snap, session, command, action, decision, actionId, act, dec, listener, start);
            }
        }
    }

    private CompletionStage<Verdict> requestApproval(PolicySnapshot snap, GateSession session, Command command, SqlAction action, Decision decision,
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
                metrics.approval("cancelled");
            }
        });
        dev.airlock.config.policy.ApprovalProfile cp = snap.policy().approvalProfiles().get(decision.approvalProfile());
        durably(act, dec).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("session {}: action {} not confirmed by the lineage store; refusing", session.id(), actionId, e);
                session.forget(command);
                result.complete(Verdict.deny(Failure.UNAVAILABLE, "Airlock could not record this statement durably",
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
            List<String> targets = new ArrayList<>();
            for (TableRef t : action.analysis().tablesWritten()) {
                targets.add(t.toString());
            }
            for (TableRef t : action.analysis().tablesRead()) {
                targets.add(t.toString());
            }
            PendingApproval p;
            try {
                p = approvals.request(action, session.identity, profile, new ApprovalContext(session.connection,
                        decision.policyVersion(), decision.matchedRules(), decision.explanation(), null, null, targets,
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
            metrics.decided(System.nanoTime() - start);
            long asked = System.nanoTime();
            try {
                listener.awaitingApproval(new AwaitingApproval(p.requestId(), profile.channels(),
                        clock.instant().plus(profile.timeout())));
            } catch (RuntimeException ex) {
                log.debug("awaiting-approval notice failed", ex);
            }
            p.whenComplete((o, pe) -> {
                metrics.waited(System.nanoTime() - asked);
                if (pe != null) {
                    if (!(pe instanceof CancellationException)) {
                        log.warn("approval request {} failed", p.requestId(), pe);
                        result.complete(Verdict.deny(Failure.UNAVAILABLE, "the approval request failed",
                                decision.decidingRule(), p.requestId(), "Try again later."));
                    }
                    return;
                }
                metrics.approval(o.state().wireName());
                result.complete(verdictOf(o, decision));
            });
        });
        return result;
    }

    private static Verdict verdictOf(ApprovalOutcome o, Decision decision) {
        String rule = decision.decidingRule();
        if (o instanceof ApprovalOutcome.Approved) {
            return Verdict.ALLOW;
        }
        if (o instanceof ApprovalOutcome.Denied d) {
            return Verdict.deny(Failure.APPROVAL_DENIED, d.describe(), rule, o.requestId(), "An approver refused this statement.");
        }
        if (o instanceof ApprovalOutcome.Expired) {
            return Verdict.deny(Failure.APPROVAL_EXPIRED, "approval request " + o.requestId() + " expired without a decision",
                    rule, o.requestId(), "Ask an approver, then run the statement again.");
        }
        return Verdict.deny(Failure.APPROVAL_CANCELLED, o.describe(), rule, o.requestId(), null);
    }

    /** The approvals module's profile for a policy file's profile. */
    public static ApprovalProfile toApprovalProfile(dev.airlock.config.policy.ApprovalProfile p) {
        return new ApprovalProfile(p.name(), new ApprovalProfile.Approvers(java.util.Set.copyOf(p.approverGroups()),
                java.util.Set.copyOf(p.approverUsers())), p.quorum(), p.timeout(), p.remindAfter(), p.grantWindow(),
                p.channels());
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
            lineage.enqueue(ResultRecorded.of(a.actionId(), outcome.rows() < 0 ? null : outcome.rows(), outcome.duration(),
                    outcome.errorCode(), outcome.failed() ? null : outcome.tag()));
        } catch (RuntimeException e) {
            log.warn("session {}: recording a result failed", session.id(), e);
        }
    }

    void sessionClosed(GateSession session, String reason) {
        try {
            metrics.sessionClosed();
            lineage.enqueue(SessionEnded.of(session.sessionId, reason));
        } catch (RuntimeException e) {
            log.warn("session {}: recording its end failed", session.id(), e);
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
