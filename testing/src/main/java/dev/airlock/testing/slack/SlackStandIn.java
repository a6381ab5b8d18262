package dev.airlock.testing.slack;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A local stand-in for the Slack Web API and Socket Mode that speaks the real wire formats and records
 * every call: {@code auth.test}, {@code chat.postMessage}, {@code chat.update}, {@code chat.postEphemeral},
 * {@code views.open}, {@code users.info}, {@code apps.connections.open}, and the envelope/ack protocol.
 */
public final class SlackStandIn implements AutoCloseable {

    public static final String TEAM = "T0AIRLOCK";
    public static final String APP = "A0AIRLOCK";
    public static final String CHANNEL_ID = "C0APPROVE";

    /** One Web API call as received. */
    public record Call(String method, Map<String, String> params, String authorization, JsonObject response) {
        public String param(String name) {
            return params.get(name);
        }
    }

    /** A Slack user as {@code users.info} reports it. */
    public record SlackUser(String id, String teamId, String email, boolean deleted, boolean bot, boolean restricted,
                            boolean ultraRestricted, boolean stranger) {
        public static SlackUser person(String id, String email) {
            return new SlackUser(id, TEAM, email, false, false, false, false, false);
        }
    }

    static {
        // The JDK server writes headers and body in two segments; without TCP_NODELAY the body waits for the
        // client's delayed ACK (~40 ms per answer). Read once, when the first server is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer http;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4);
    private final Ws ws;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, SlackUser> users = new ConcurrentHashMap<>();
    private final Map<String, Integer> rateLimitNext = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> messages = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tsCounter = new AtomicInteger(1000);
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final List<String> acks = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsClosed = new AtomicInteger();

    public SlackStandIn() throws IOException, InterruptedException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/", this::api);
        http.setExecutor(httpThreads);
        http.start();
        ws = new Ws();
        ws.setReuseAddr(true);
        ws.start();
        if (!ws.started.await(10, TimeUnit.SECONDS)) {
            throw new IOException("socket mode stand-in did not start");
        }
    }

    /** The Web API prefix for {@code SlackConfig#setMethodsEndpointUrlPrefix}. */
    public String methodsUrlPrefix() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/api/";
    }

    public void addUser(SlackUser u) {
        users.put(u.id(), u);
    }

    /** The next call of {@code method} is answered with HTTP 429 and {@code Retry-After: seconds}. */
    public void rateLimitNext(String method, int seconds) {
        rateLimitNext.put(method, seconds);
    }

    /** Calls of {@code method} fail with {@code {"ok":false}} until cleared. */
    public void fail(String method) {
        failing.add(method);
    }

    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    public List<Call> calls(String method) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.method().equals(method)).toList();
        }
    }

    /** Waits for a call of {@code method} matching {@code p}. */
    public Call await(String method, Predicate<Call> p, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (calls) {
            while (true) {
                for (Call c : calls) {
                    if (c.method().equals(method) && p.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + method + " call matched within " + timeoutMillis + " ms; calls: " + calls);
                }
                TimeUnit.NANOSECONDS.timedWait(calls, left);
            }
        }
    }

    private void api(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestURI().getPath().substring("/api/".length());
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> params = parseForm(new String(body, StandardCharsets.UTF_8));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null && params.containsKey("token")) {
                auth = "Bearer " + params.get("token");
            }
            Integer retry = rateLimitNext.remove(method);
            if (retry != null) {
                record(new Call(method + "#429", params, auth, null));
                ex.getResponseHeaders().add("Retry-After", String.valueOf(retry));
                send(ex, 429, "{\"ok\":false,\"error\":\"ratelimited\"}");
                return;
            }
            JsonObject response = failing.contains(method) ? error("expired_trigger_id")
                    : answer(new Call(method, params, auth, null));
            record(new Call(method, params, auth, response));
            send(ex, 200, response.toString());
        }
    }

    private JsonObject answer(Call c) {
        JsonObject r = new JsonObject();
        r.addProperty("ok", true);
        switch (c.method()) {
            case "auth.test" -> {
                r.addProperty("team_id", TEAM);
                r.addProperty("user_id", "UBOT");
                r.addProperty("bot_id", "BBOT");
            }
            case "chat.postMessage" -> {
                String ts = tsCounter.incrementAndGet() + ".000100";
                messages.add(CHANNEL_ID + "/" + ts);
                r.addProperty("channel", CHANNEL_ID);
                r.addProperty("ts", ts);
            }
            case "chat.update" -> {
                if (!messages.contains(c.param("channel") + "/" + c.param("ts"))) {
                    return error("message_not_found");
                }
                r.addProperty("channel", c.param("channel"));
                r.addProperty("ts", c.param("ts"));
            }
            case "chat.postEphemeral" -> r.addProperty("message_ts", tsCounter.incrementAndGet() + ".000200");
            case "views.open" -> {
                JsonObject view = new JsonObject();
                view.addProperty("id", "V" + tsCounter.incrementAndGet());
                r.add("view", view);
            }
            case "users.info" -> {
                SlackUser u = users.get(c.param("user"));
                if (u == null) {
                    return error("user_not_found");
                }
                JsonObject user = new JsonObject();
                user.addProperty("id", u.id());
                user.addProperty("team_id", u.teamId());
                user.addProperty("deleted", u.deleted());
                user.addProperty("is_bot", u.bot());
                user.addProperty("is_restricted", u.restricted());
                user.addProperty("is_ultra_restricted", u.ultraRestricted());
                user.addProperty("is_stranger", u.stranger());
                JsonObject profile = new JsonObject();
                if (u.email() != null) {
                    profile.addProperty("email", u.email());
                }
                user.add("profile", profile);
                r.add("user", user);
            }
            case "apps.connections.open" -> {
                if (c.authorization() == null || !c.authorization().startsWith("Bearer xapp-")) {
                    return error("invalid_auth");
                }
                String override = linkUrl;
                r.addProperty("url", override != null ? override
                        : "ws://127.0.0.1:" + ws.getPort() + "/link/?ticket=" + UUID.randomUUID());
            }
            default -> {
                return error("unknown_method");
            }
        }
        return r;
    }

    private static JsonObject error(String e) {
        JsonObject r = new JsonObject();
        r.addProperty("ok", false);
        r.addProperty("error", e);
        return r;
    }

    private volatile java.util.function.Consumer<Call> onCall = c -> { };
    private volatile String linkUrl;

    /** {@code apps.connections.open} hands out {@code url} instead of the stand-in's own Socket Mode server. */
    public void linkUrl(String url) {
        this.linkUrl = url;
    }

    /** Called (on the stand-in's HTTP thread) with every call as it is recorded; for latency measurements. */
    public void onCall(java.util.function.Consumer<Call> hook) {
        this.onCall = hook;
    }

    /** Forgets recorded calls (long benchmark runs). */
    public void clear() {
        synchronized (calls) {
            calls.clear();
        }
    }

    private void record(Call c) {
        onCall.accept(c);
        synchronized (calls) {
            calls.add(c);
            calls.notifyAll();
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    public static Map<String, String> parseForm(String body) {
        Map<String, String> m = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return m;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Sends an {@code interactive} envelope carrying {@code payload} over the newest Socket Mode link. */
    public String deliver(JsonObject payload) {
        return deliver(payload, UUID.randomUUID().toString());
    }

    /** Sends an envelope with a chosen id (redeliveries reuse one). */
    public String deliver(JsonObject payload, String envelopeId) {
        JsonObject env = new JsonObject();
        env.addProperty("envelope_id", envelopeId);
        env.addProperty("type", "interactive");
        env.add("payload", payload);
        env.addProperty("accepts_response_payload", false);
        ws.newest().send(env.toString());
        return envelopeId;
    }

    /** Sends {@code {"type":"disconnect","reason":…}} on the newest link. */
    public void disconnect(String reason) {
        ws.newest().send("{\"type\":\"disconnect\",\"reason\":\"" + reason + "\",\"debug_info\":{\"host\":\"standin\"}}");
    }

    /** Waits until the client acknowledged {@code envelopeId}. */
    public void awaitAck(String envelopeId, long timeoutMillis) throws InterruptedException {
        awaitAcks(envelopeId, 1, timeoutMillis);
    }

    /** Waits until the client acknowledged {@code envelopeId} {@code n} times (redeliveries are acked too). */
    public void awaitAcks(String envelopeId, int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (acks) {
            while (acks.stream().filter(envelopeId::equals).count() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("envelope " + envelopeId + " not acknowledged; acks: " + acks);
                }
                TimeUnit.NANOSECONDS.timedWait(acks, left);
            }
        }
    }

    /** Waits until {@code n} Socket Mode links have said hello. */
    public void awaitConnections(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (connectionsOpened) {
            while (connectionsOpened.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("socket mode links: " + connectionsOpened.get() + " (expected: " + n + ")");
                }
                TimeUnit.NANOSECONDS.timedWait(connectionsOpened, left);
            }
        }
    }

    /** Waits until {@code n} Socket Mode links have been closed (by either side). */
    public void awaitDisconnections(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (connectionsClosed) {
            while (connectionsClosed.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("socket mode links closed: " + connectionsClosed.get() + " (expected: " + n + ")");
                }
                TimeUnit.NANOSECONDS.timedWait(connectionsClosed, left);
            }
        }
    }

    /** Socket Mode links currently open. */
    public int openConnections() {
        return ws.getConnections().size();
    }

    private final class Ws extends WebSocketServer {
        final CountDownLatch started = new CountDownLatch(1);
        private volatile WebSocket newest;

        Ws() {
            super(new InetSocketAddress("127.0.0.1", 0));
            setDaemon(true);
        }

        WebSocket newest() {
            return newest;
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            newest = conn;
            conn.send("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"standin\"},"
                    + "\"connection_info\":{\"app_id\":\"" + APP + "\"}}");
            synchronized (connectionsOpened) {
                connectionsOpened.incrementAndGet();
                connectionsOpened.notifyAll();
            }
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            synchronized (connectionsClosed) {
                connectionsClosed.incrementAndGet();
                connectionsClosed.notifyAll();
            }
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            JsonObject m = JsonParser.parseString(message).getAsJsonObject();
            if (m.has("envelope_id")) {
                synchronized (acks) {
                    acks.add(m.get("envelope_id").getAsString());
                    acks.notifyAll();
                }
            }
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }

    @Override
    public void close() throws InterruptedException {
        http.stop(0);
        httpThreads.shutdownNow();
        ws.stop(1000);
    }
}
