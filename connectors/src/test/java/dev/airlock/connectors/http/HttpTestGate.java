package dev.airlock.connectors.http;

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
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only gate for the HTTP connector: token {@code good-token} (subject agent-1) or {@code other-token}
 * (subject agent-2); denies DELETE; holds requests carrying {@code x-hold} until the test completes them;
 * allows the rest, half of the time from another thread, as a real gate would.
 */
final class HttpTestGate implements Gate {

    static final String TOKEN = "good-token";
    static final String OTHER = "other-token";

    record TestSession(String id, Identity identity, ConnectionRef connection) implements Session {
        @Override
        public UpstreamTarget upstream() {
            throw new UnsupportedOperationException("the HTTP connector routes by its own table");
        }
    }

    record Held(Command command, CompletableFuture<Verdict> verdict) {
    }

    final List<Command> admitted = new CopyOnWriteArrayList<>();
    final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    final BlockingQueue<Held> held = new LinkedBlockingQueue<>();
    final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
    final AtomicInteger sessions = new AtomicInteger();
    private final boolean inline;

    /** The next outcome an exchange reported, waiting up to 10 s for it. */
    Outcome nextOutcome() throws InterruptedException {
        Outcome o = outcomes.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        org.assertj.core.api.Assertions.assertThat(o).as("an outcome reported to the gate").isNotNull();
        return o;
    }

    HttpTestGate() {
        this(false);
    }

    /** {@code inline}: every stage completes before the call returns (for EmbeddedChannel tests). */
    HttpTestGate(boolean inline) {
        this.inline = inline;
    }

    @Override
    public CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client) {
        java.util.function.Supplier<Session> s = () -> {
            String subject = credential.token().equals(TOKEN) ? "agent-1" : credential.token().equals(OTHER) ? "agent-2" : null;
            if (subject == null) {
                throw new GateRejectedException(Failure.AUTHENTICATION_FAILED, "token rejected: signature invalid",
                        "Present a fresh OIDC access token.");
            }
            sessions.incrementAndGet();
            return new TestSession("s" + sessions.get(), Identity.of("test", subject, Set.of("agents")),
                    new ConnectionRef(connection, Protocol.HTTP, Map.of()));
        };
        if (inline) {
            try {
                return CompletableFuture.completedFuture(s.get());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(s);
    }

    @Override
    public CompletionStage<Verdict> admit(Session session, Command command, AdmissionListener listener) {
        admitted.add(command);
        HttpAction a = (HttpAction) command.action();
        if (a.method().equals("DELETE")) {
            return CompletableFuture.completedFuture(Verdict.deny(Failure.POLICY_DENIED, "Agents may not delete.",
                    "no-deletes", command.id().toString(), "Ask a person."));
        }
        if (a.headers().containsKey("x-hold")) {
            CompletableFuture<Verdict> f = new CompletableFuture<>();
            held.add(new Held(command, f));
            listener.awaitingApproval(new AwaitingApproval("apr-7", List.of("cli"), Instant.parse("2030-01-01T00:00:00Z")));
            return f;
        }
        return inline || a.path().hashCode() % 2 == 0 ? CompletableFuture.completedFuture(Verdict.ALLOW)
                : CompletableFuture.supplyAsync(() -> Verdict.ALLOW);
    }

    @Override
    public void report(Session session, Command command, Outcome outcome) {
        outcomes.add(outcome);
    }

    @Override
    public void sessionClosed(Session session, String reason) {
        closed.add(reason);
    }
}
