package dev.airlock.approvals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Mounts a {@link PlainHttpHandler} on a JDK HTTP server, as gateway-core's admin listener will. */
public final class HandlerServer implements AutoCloseable {

    static {
        // The JDK server writes headers and body in two segments; without TCP_NODELAY the body waits for the
        // client's delayed ACK (~40 ms per response). Read once, when the first server is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    public HandlerServer(String path, PlainHttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, ex -> {
            try (ex) {
                Map<String, List<String>> headers = new LinkedHashMap<>(ex.getRequestHeaders());
                byte[] body = ex.getRequestBody().readAllBytes();
                HttpReply r = handler.handle(new HttpCall(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRequestURI().getRawQuery(), headers, body, String.valueOf(ex.getRemoteAddress())));
                if (r.contentType() != null) {
                    ex.getResponseHeaders().add("Content-Type", r.contentType());
                }
                r.headers().forEach(h -> ex.getResponseHeaders().add(h.getKey(), h.getValue()));
                ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(r.body());
                    }
                }
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
