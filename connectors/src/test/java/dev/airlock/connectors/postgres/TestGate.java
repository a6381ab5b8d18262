package dev.airlock.connectors.postgres;

import dev.airlock.config.Protocol;
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
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only gate: token {@code good-token}, connection names mapped to upstream targets; allows everything
 * except text containing {@code DROP} (a deliberately naive rule, fine for a test double) and holds text
 * containing {@code hold_me} until the test releases it.
 */
final class TestGate implements Gate {

    static final String TOKEN = "good-token";

    record TestSession(String id, Identity identity, ConnectionRef connection, UpstreamTarget upstream) implements Session {
    }

    record Held(Command command, CompletableFuture<dev.airlock.connectors.spi.Verdict> verdict) {
    }

    final Map<String, UpstreamTarget> connections = new ConcurrentHashMap<>();
    final List<Command> admitted = new CopyOnWriteArrayList<>();
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final List<Command> reported = new CopyOnWriteArrayList<>();
    final BlockingQueue<Held> held = new LinkedBlockingQueue<>();
    final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
    volatile boolean denyFunctionCalls;
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client) {
        return CompletableFuture.supplyAsync(() -> {
            if (!credential.token().equals(TOKEN)) {
                throw new GateRejectedException(Failure.AUTHENTICATION_FAILED, "token rejected", "get a fresh token");
            }
            UpstreamTarget target = connections.get(connection);
            if (target == null) {
                throw new GateRejectedException(Failure.UNKNOWN_CONNECTION, "no connection '" + connection + "'", null);
            }
            return new TestSession("s" + ids.incrementAndGet(), Identity.of("test", "agent-1", Set.of("agents")),
                    new ConnectionRef(connection, Protocol.POSTGRES, Map.of()), target);
        });
    }

    @Override
    public CompletionStage<dev.airlock.connectors.spi.Verdict> admit(Session session, Command command, AdmissionListener listener) {
        admitted.add(command);
        if (command.text().contains("DROP")) {
            return CompletableFuture.completedFuture(dev.airlock.connectors.spi.Verdict.deny(Failure.POLICY_DENIED,
                    "DDL is not allowed on " + session.connection().name(), "no-ddl", "req-42", "Ask a DBA."));
        }
        if (denyFunctionCalls && command.kind() == Command.Kind.FUNCTION_CALL) {
            return CompletableFuture.completedFuture(dev.airlock.connectors.spi.Verdict.deny(Failure.POLICY_DENIED,
                    "fast-path function calls are not allowed", "no-fastpath", null, null));
        }
        if (command.text().contains("hold_me")) {
            CompletableFuture<dev.airlock.connectors.spi.Verdict> f = new CompletableFuture<>();
            listener.awaitingApproval(new AwaitingApproval("req-7", List.of("web"), Instant.parse("2030-01-01T00:00:00Z")));
            held.add(new Held(command, f));
            return f;
        }
        // answer from another thread half of the time, as a real gate would
        return command.text().hashCode() % 2 == 0
                ? CompletableFuture.completedFuture(dev.airlock.connectors.spi.Verdict.ALLOW)
                : CompletableFuture.supplyAsync(() -> dev.airlock.connectors.spi.Verdict.ALLOW);
    }

    @Override
    public void report(Session session, Command command, Outcome outcome) {
        reported.add(command);
        outcomes.add(outcome);
    }

    @Override
    public void sessionClosed(Session session, String reason) {
        closed.add(reason);
    }
}
