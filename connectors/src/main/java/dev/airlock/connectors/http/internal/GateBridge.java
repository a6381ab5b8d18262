package dev.airlock.connectors.http.internal;

import dev.airlock.config.Protocol;
import dev.airlock.connectors.spi.AdmissionListener;
import dev.airlock.connectors.spi.ClientInfo;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Credential;
import dev.airlock.connectors.spi.Gate;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Session;
import dev.airlock.connectors.spi.Verdict;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP connector's side of the gate for one agent connection. HTTP authenticates every request, the gate
 * once per session: a session is opened per (token, connection) pair the connection uses and reused while the
 * token is the same and unexpired, so keep-alive traffic costs one verification. A session still used by a
 * {@code respond-async} request outlives the connection and ends when that request does. Event-loop confined.
 */
final class GateBridge {

    private static final Logger log = LoggerFactory.getLogger(GateBridge.class);

    /** Sessions kept per agent connection (an agent rarely switches tokens or connections on one socket). */
    static final int MAX_SESSIONS = 4;

    /** One opened session and who still needs it. */
    static final class Held {
        final String token;
        final String connection;
        final Session session;
        final long expiresAtSeconds;
        int users;
        boolean closeWhenUnused;
        boolean closed;

        Held(String token, String connection, Session session) {
            this.token = token;
            this.connection = connection;
            this.session = session;
            Object exp = session.identity().claims().get("exp");
            this.expiresAtSeconds = exp instanceof Number n ? n.longValue() : Long.MAX_VALUE;
        }

        Session session() {
            return session;
        }
    }

    private final Gate gate;
    private final Channel channel;
    private final boolean tls;
    private final List<Held> sessions = new ArrayList<>(2);
    private boolean connectionClosed;

    GateBridge(Gate gate, Channel channel, boolean tls) {
        this.gate = gate;
        this.channel = channel;
        this.tls = tls;
    }

    /**
     * The session for {@code token} on {@code connection}: a held one, or a new one from the gate. The stage
     * completes on the connection's event loop, failed with the gate's {@code GateRejectedException} when refused.
     */
    CompletionStage<Held> session(String token, String connection, String userAgent) {
        long now = System.currentTimeMillis() / 1000;
        for (Iterator<Held> it = sessions.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.connection.equals(connection) && h.token.equals(token)) {
                if (now < h.expiresAtSeconds) {
                    return CompletableFuture.completedFuture(h);
                }
                it.remove();
                end(h, "token expired");
            }
        }
        CompletableFuture<Held> out = new CompletableFuture<>();
        ClientInfo client = new ClientInfo(Protocol.HTTP, channel.remoteAddress(), tls, null,
                userAgent == null ? Map.of() : Map.of("application_name", userAgent));
        CompletionStage<Session> stage;
        try {
            stage = gate.authenticate(new Credential(token), connection, client);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((s, e) -> channel.eventLoop().execute(() -> {
            if (e != null) {
                out.completeExceptionally(e);
                return;
            }
            Held h = new Held(token, connection, s);
            if (connectionClosed) {
                end(h, "client disconnected during authentication");
                out.completeExceptionally(new java.nio.channels.ClosedChannelException());
                return;
            }
            if (sessions.size() >= MAX_SESSIONS) {
                for (Iterator<Held> it = sessions.iterator(); it.hasNext(); ) {
                    Held old = it.next();
                    if (old.users == 0) {
                        it.remove();
                        end(old, "replaced by another token or connection on the same agent connection");
                        break;
                    }
                }
            }
            sessions.add(h);
            out.complete(h);
        }));
        return out;
    }

    CompletionStage<Verdict> admit(Held h, Command command, AdmissionListener listener) {
        try {
            return gate.admit(h.session, command, listener);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    void report(Held h, Command command, Outcome outcome) {
        try {
            gate.report(h.session, command, outcome);
        } catch (RuntimeException e) {
            log.warn("{}: gate.report failed", channel, e);
        }
    }

    /** A request that outlives the connection ({@code respond-async}) keeps its session open. */
    void retain(Held h) {
        h.users++;
    }

    void release(Held h) {
        if (--h.users == 0 && h.closeWhenUnused) {
            end(h, "client disconnected; last async request finished");
        }
    }

    /** The agent connection ended: every session not kept by an async request ends now. */
    void connectionClosed(String reason) {
        connectionClosed = true;
        for (Held h : sessions) {
            if (h.users == 0) {
                end(h, reason);
            } else {
                h.closeWhenUnused = true;
            }
        }
        sessions.clear();
    }

    private void end(Held h, String reason) {
        if (h.closed) {
            return;
        }
        h.closed = true;
        try {
            gate.sessionClosed(h.session, reason);
        } catch (RuntimeException e) {
            log.warn("{}: gate.sessionClosed failed", channel, e);
        }
    }
}
