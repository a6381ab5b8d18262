package dev.airlock.connectors.http;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one HTTP listener.
 *
 * @param sslContext               server TLS context, or {@code null} for plain HTTP (then only loopback clients
 *                                 are served: the bearer token would cross the network in clear)
 * @param routes                   the connections reached through this listener
 * @param defaultConnection        the connection for requests no route matches, or {@code null} (then {@code 404})
 * @param maxInitialLineLength     longest request line ({@code 414} beyond)
 * @param maxHeaderSize            largest header block ({@code 431} beyond)
 * @param maxChunkSize             largest content piece passed on at once
 * @param idleTimeout              close an agent connection idle between requests for this long ({@link Duration#ZERO}: never)
 * @param headerTimeout            HTTP/1.1: a request head must arrive whole within this long of its first byte (a new
 *                                 connection's first request: of the connect), else {@code 408} and close
 *                                 ({@link Duration#ZERO}: no limit but the idle timeout)
 * @param asyncResultTtl           how long the result of a {@code Prefer: respond-async} request stays fetchable
 * @param maxAsyncResponse         largest upstream response kept for an async request ({@code 502} beyond)
 * @param maxAsyncRequests         async requests held at once; beyond it {@code respond-async} is not honoured
 * @param writeBufferLowWaterMark  back-pressure: resume reading the peer below this many queued bytes
 * @param writeBufferHighWaterMark back-pressure: stop reading the peer above this many queued bytes
 * @param maxConcurrentStreams     HTTP/2: requests one agent connection may have open at once ({@code 0}: HTTP/2
 *                                 is not offered, agents speak HTTP/1.1)
 */
public record HttpListenerConfig(SslContext sslContext, List<HttpRoute> routes, String defaultConnection,
                                 int maxInitialLineLength, int maxHeaderSize, int maxChunkSize, Duration idleTimeout,
                                 Duration headerTimeout, Duration asyncResultTtl, int maxAsyncResponse, int maxAsyncRequests,
                                 int writeBufferLowWaterMark, int writeBufferHighWaterMark, int maxConcurrentStreams) {

    public HttpListenerConfig {
        routes = List.copyOf(routes);
        if (defaultConnection != null && routes.stream().noneMatch(r -> r.connection().equals(defaultConnection))) {
            throw new IllegalArgumentException("defaultConnection: " + defaultConnection + " (expected: one of the routes)");
        }
        if (maxInitialLineLength < 256 || maxHeaderSize < 1024 || maxChunkSize < 1024) {
            throw new IllegalArgumentException("limits: line " + maxInitialLineLength + ", headers " + maxHeaderSize
                    + ", chunk " + maxChunkSize + " (expected: >= 256, >= 1024, >= 1024)");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
        }
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (headerTimeout.isNegative()) {
            throw new IllegalArgumentException("headerTimeout: " + headerTimeout + " (expected: >= 0)");
        }
        Objects.requireNonNull(asyncResultTtl, "asyncResultTtl");
        if (asyncResultTtl.isNegative() || asyncResultTtl.isZero()) {
            throw new IllegalArgumentException("asyncResultTtl: " + asyncResultTtl + " (expected: > 0)");
        }
        if (maxAsyncResponse < 0 || maxAsyncRequests < 0) {
            throw new IllegalArgumentException("async limits: " + maxAsyncResponse + " bytes, " + maxAsyncRequests
                    + " requests (expected: >= 0)");
        }
        if (writeBufferLowWaterMark <= 0 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("writeBufferWaterMark: " + writeBufferLowWaterMark + "/" + writeBufferHighWaterMark
                    + " (expected: 0 < low <= high)");
        }
        if (maxConcurrentStreams < 0) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: >= 0)");
        }
    }

    /** Whether agents may speak HTTP/2 (ALPN {@code h2} over TLS, prior knowledge in clear). */
    public boolean http2() {
        return maxConcurrentStreams > 0;
    }

    /**
     * Defaults: 8 KiB request line, 16 KiB headers, 64 KiB chunks, 5 min idle, 30 s for a request head, async results kept 10 min,
     * up to 1 MiB each and 256 at once (so held async requests use at most ~256 MiB), 32/64 KiB watermarks,
     * HTTP/2 with up to 100 requests at once per connection.
     */
    public static HttpListenerConfig defaults(SslContext sslContext, List<HttpRoute> routes, String defaultConnection) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, 8 << 10, 16 << 10, 64 << 10,
                Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(10), 1 << 20, 256, 32 << 10, 64 << 10, 100);
    }

    public HttpListenerConfig withIdleTimeout(Duration d) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, maxInitialLineLength, maxHeaderSize, maxChunkSize,
                d, headerTimeout, asyncResultTtl, maxAsyncResponse, maxAsyncRequests, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxConcurrentStreams);
    }

    public HttpListenerConfig withRequestLimits(int requestLine, int headerSize) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, requestLine, headerSize, maxChunkSize,
                idleTimeout, headerTimeout, asyncResultTtl, maxAsyncResponse, maxAsyncRequests, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxConcurrentStreams);
    }

    public HttpListenerConfig withMaxAsyncRequests(int n) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, maxInitialLineLength, maxHeaderSize, maxChunkSize,
                idleTimeout, headerTimeout, asyncResultTtl, maxAsyncResponse, n, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxConcurrentStreams);
    }

    public HttpListenerConfig withMaxAsyncResponse(int n) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, maxInitialLineLength, maxHeaderSize, maxChunkSize,
                idleTimeout, headerTimeout, asyncResultTtl, n, maxAsyncRequests, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxConcurrentStreams);
    }

    public HttpListenerConfig withMaxConcurrentStreams(int n) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, maxInitialLineLength, maxHeaderSize, maxChunkSize,
                idleTimeout, headerTimeout, asyncResultTtl, maxAsyncResponse, maxAsyncRequests, writeBufferLowWaterMark, writeBufferHighWaterMark, n);
    }

    public HttpListenerConfig withHeaderTimeout(Duration d) {
        return new HttpListenerConfig(sslContext, routes, defaultConnection, maxInitialLineLength, maxHeaderSize, maxChunkSize,
                idleTimeout, d, asyncResultTtl, maxAsyncResponse, maxAsyncRequests, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxConcurrentStreams);
    }
}
