package dev.airlock.approvals.slack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.slack.api.methods.response.apps.connections.AppsConnectionsOpenResponse;
import dev.airlock.approvals.internal.ReplayGuard;
import dev.airlock.approvals.slack.internal.SlackApi;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack Socket Mode: clicks arrive over an outbound WebSocket, so no inbound port is needed. Opens the
 * URL from {@code apps.connections.open}, waits for {@code hello}, acknowledges every envelope with
 * {@code {"envelope_id": …}} at once, drops redelivered envelopes, reconnects on {@code disconnect}
 * (and on a dropped link, with backoff) and stops on {@code link_disabled}.
 */
public final class SlackSocketMode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackSocketMode.class);

    private final SlackApprovalChannel channel;
    private final SlackApi api;
    private final String appToken;
    private final ReplayGuard envelopes = new ReplayGuard(10 * 60_000L, 100_000);
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "airlock-slack-socket-mode");
        t.setDaemon(true);
        return t;
    });
    private volatile Link current;
    private volatile boolean stopped;
    private volatile CountDownLatch hello = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    SlackSocketMode(SlackApprovalChannel channel, SlackApi api, String appToken) {
        this.channel = channel;
        this.api = api;
        this.appToken = appToken;
    }

    /** Connects and waits up to {@code timeoutMillis} for Slack's {@code hello}. */
    public boolean start(long timeoutMillis) throws InterruptedException {
        reconnector.execute(this::connect);
        return hello.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Whether the current link has received {@code hello}. */
    public boolean connected() {
        Link l = current;
        return l != null && l.ready && l.isOpen();
    }

    private void connect() {
        if (stopped) {
            return;
        }
        try {
            AppsConnectionsOpenResponse r = api.call("apps.connections.open", appToken, m -> m.appsConnectionsOpen(b -> b.token(appToken)));
            Link old = current;
            Link link = new Link(URI.create(r.getUrl()));
            current = link;
            link.setDaemon(true);
            link.connect();
            if (old != null) {
                old.close();
            }
            failures.set(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("slack socket mode: connecting failed", e);
            retryLater();
        }
    }

    private void retryLater() {
        if (stopped) {
            return;
        }
        long delay = Math.min(30_000, 500L << Math.min(6, failures.getAndIncrement()));
        reconnector.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** How long {@link #close} waits for Slack to answer the close frame before dropping the connection. */
    static final long CLOSE_WAIT_MILLIS = 2_000;

    private final class Link extends WebSocketClient {
        volatile boolean ready;
        final CountDownLatch closed = new CountDownLatch(1);

        Link(URI uri) {
            super(uri);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            log.debug("slack socket mode: connected to {}", getURI().getHost());
        }

        @Override
        public void onMessage(String text) {
            JsonObject m;
            try {
                JsonElement e = JsonParser.parseString(text);
                if (!e.isJsonObject()) {
                    return;
                }
                m = e.getAsJsonObject();
            } catch (RuntimeException e) {
                log.warn("slack socket mode: not JSON; ignored");
                return;
            }
            String type = SlackApprovalChannel.str(m, "type");
            String envelopeId = SlackApprovalChannel.str(m, "envelope_id");
            if (envelopeId != null) {
                JsonObject ack = new JsonObject();
                ack.addProperty("envelope_id", envelopeId);
                send(ack.toString());
                if (!envelopes.firstTime(envelopeId, System.currentTimeMillis())) {
                    // at-least-once delivery: a redelivered envelope is expected, not an attack
                    log.debug("slack socket mode: envelope {} redelivered; ignored", envelopeId);
                    return;
                }
                if ("interactive".equals(type)) {
                    JsonObject payload = SlackApprovalChannel.obj(m, "payload");
                    if (payload == null) {
                        return;
                    }
                    String refusal = channel.admit(payload);
                    if (refusal != null) {
                        log.warn("slack socket mode: interaction refused: {}", refusal);
                        channel.rejected(SlackApprovalChannel.SOCKET_TRANSPORT, refusal, payload,
                                String.valueOf(getURI().getHost()), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        return;
                    }
                    channel.dispatch(payload);
                }
                return;
            }
            if ("hello".equals(type)) {
                ready = true;
                hello.countDown();
            } else if ("disconnect".equals(type)) {
                String reason = SlackApprovalChannel.str(m, "reason");
                if ("link_disabled".equals(reason)) {
                    log.error("slack socket mode: Slack disabled this app's Socket Mode link; clicks stop until it is re-enabled");
                    stopped = true;
                    close();
                } else {
                    log.debug("slack socket mode: disconnect ({}); reconnecting", reason);
                    reconnector.execute(SlackSocketMode.this::connect);
                }
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            ready = false;
            closed.countDown();
            if (!stopped && current == this) {
                log.info("slack socket mode: link closed ({} {}); reconnecting", code, reason);
                retryLater();
            }
        }

        @Override
        public void onError(Exception ex) {
            log.debug("slack socket mode: link error", ex);
        }
    }

    /**
     * Stops reconnecting and closes the link: politely (a close frame) when Slack answers within
     * {@value #CLOSE_WAIT_MILLIS} ms, else by dropping the TCP connection, so a shutdown never hangs on Slack.
     */
    @Override
    public void close() {
        stopped = true;
        reconnector.shutdownNow();
        Link l = current;
        if (l != null) {
            l.close();
            try {
                if (!l.closed.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    log.debug("slack socket mode: no answer to the close frame within {} ms; dropping the connection",
                            CLOSE_WAIT_MILLIS);
                    l.closeConnection(org.java_websocket.framing.CloseFrame.ABNORMAL_CLOSE, "close handshake timed out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                l.closeConnection(org.java_websocket.framing.CloseFrame.ABNORMAL_CLOSE, "interrupted");
            }
        }
    }
}
