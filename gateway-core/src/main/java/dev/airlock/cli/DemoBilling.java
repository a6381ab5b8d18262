package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's sample "billing" API (JDK HTTP server on a loopback port), reached by agents only through Airlock:
 * {@code GET /v1/invoices}, {@code GET|DELETE /v1/invoices/{id}}, {@code POST /v1/refunds {"invoice", "amount"}},
 * {@code GET /v1/events} (a few server-sent events). It trusts one bearer token, which only Airlock holds.
 */
final class DemoBilling implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-billing");
        t.setDaemon(true);
        return t;
    });
    private final String token;
    private final Map<Integer, ObjectNode> invoices = new ConcurrentSkipListMap<>();
    private final AtomicInteger refunds = new AtomicInteger();

    private DemoBilling(String token) throws IOException {
        this.token = token;
        String[][] seed = {{"1", "Ada Lovelace", "120.00", "open"}, {"2", "Grace Hopper", "75.50", "paid"},
            {"3", "Edsger Dijkstra", "12.99", "open"}, {"4", "Barbara Liskov", "300.00", "paid"}};
        for (String[] s : seed) {
            ObjectNode o = JSON.createObjectNode().put("id", Integer.parseInt(s[0])).put("customer", s[1])
                    .put("total", Double.parseDouble(s[2])).put("status", s[3]);
            invoices.put(Integer.parseInt(s[0]), o);
        }
        dev.airlock.gateway.identity.DevIssuer.noDelay();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static DemoBilling start(String token) throws IOException {
        return new DemoBilling(token);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, JSON.createObjectNode().put("error", "this API only talks to Airlock"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/v1/invoices") && method.equals("GET")) {
                ArrayNode a = JSON.createArrayNode();
                invoices.values().forEach(a::add);
                send(ex, 200, a);
            } else if (path.startsWith("/v1/invoices/")) {
                Integer id = id(path.substring("/v1/invoices/".length()));
                ObjectNode inv = id == null ? null : invoices.get(id);
                if (inv == null) {
                    send(ex, 404, JSON.createObjectNode().put("error", "no such invoice"));
                } else if (method.equals("GET")) {
                    send(ex, 200, inv);
                } else if (method.equals("DELETE")) {
                    invoices.remove(id);
                    ex.sendResponseHeaders(204, -1);
                } else {
                    send(ex, 405, JSON.createObjectNode().put("error", "GET or DELETE"));
                }
            } else if (path.equals("/v1/refunds") && method.equals("POST")) {
                JsonNode body;
                try {
                    body = JSON.readTree(ex.getRequestBody());
                } catch (IOException e) {
                    send(ex, 400, JSON.createObjectNode().put("error", "body: expected JSON"));
                    return;
                }
                ObjectNode r = JSON.createObjectNode().put("refund", refunds.incrementAndGet())
                        .put("invoice", body.path("invoice").asInt()).put("amount", body.path("amount").asDouble())
                        .put("status", "issued");
                send(ex, 201, r);
            } else if (path.equals("/v1/events") && method.equals("GET")) {
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int i = 1; i <= 3; i++) {
                        out.write(("id: " + i + "\ndata: {\"invoice\": " + i + ", \"event\": \"viewed\"}\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        Thread.sleep(500); // a demo service, not an event loop
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                send(ex, 404, JSON.createObjectNode().put("error", "no such route: " + method + " " + path));
            }
        }
    }

    private static Integer id(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
