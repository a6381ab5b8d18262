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

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    public HandlerServer(String path, PlainHttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, ex -> {
            try (ex) {
                Map<String, List<String>> headers = new LinkedHashMap<>(ex.getRequestHeaders());
                byte[] body = ex.getRequestBody().readAllBytes();
                HttpReply r = handler.handle(ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, body);
                if (r.contentType() != null) {
                    ex.getResponseHeaders().add("Content-Type", r.contentType());
                }
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
