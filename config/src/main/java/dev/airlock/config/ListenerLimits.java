package dev.airlock.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A listener's limits, where the defaults of its protocol do not fit ({@code limits:} in {@code airlock.yaml}).
 * Each empty value keeps the protocol's default.
 *
 * @param idleTimeout    close an agent connection idle for this long ({@link Duration#ZERO}: never); PostgreSQL
 *                       default 1 h, HTTP 5 min (between requests)
 * @param startupTimeout database listeners: from connect to authenticated (default 30 s)
 * @param maxMessageSize database listeners: largest protocol message an agent may send, in bytes (default 64 MiB)
 * @param maxRequestLine HTTP: longest request line, in bytes ({@code 414} beyond; default 8 KiB)
 * @param maxHeaderSize  HTTP: largest header block, in bytes ({@code 431} beyond; default 16 KiB)
 * @param maxConcurrentStreams HTTP/2: requests one agent connection may have open at once (default 100;
 *                       {@code 0} turns HTTP/2 off for the listener)
 * @param headerTimeout  HTTP/1.1: a request head must arrive whole within this long of its first byte (a new
 *                       connection's: of the connect), else {@code 408} and close (default 30 s; {@link Duration#ZERO}:
 *                       only the idle timeout applies)
 * @param maxAsyncRequests HTTP: {@code Prefer: respond-async} requests held at once (default 256; beyond it the
 *                       request waits on its connection; {@code 0}: never answered asynchronously)
 * @param maxAsyncResponse HTTP: largest upstream response kept for an async request, in bytes ({@code 502} beyond;
 *                       default 1 MiB)
 * @param maxConnections agent connections open at once; at the cap the listener stops accepting and new ones wait in
 *                       the kernel's accept queue (default 10 000)
 */
public record ListenerLimits(Optional<Duration> idleTimeout, Optional<Duration> startupTimeout,
                             Optional<Integer> maxMessageSize, Optional<Integer> maxRequestLine,
                             Optional<Integer> maxHeaderSize, Optional<Integer> maxConcurrentStreams,
                             Optional<Duration> headerTimeout, Optional<Integer> maxAsyncRequests,
                             Optional<Integer> maxAsyncResponse, Optional<Integer> maxConnections) {

    /** Every limit at its protocol's default. */
    public static final ListenerLimits DEFAULTS = new ListenerLimits(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public ListenerLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(maxMessageSize, "maxMessageSize");
        Objects.requireNonNull(maxRequestLine, "maxRequestLine");
        Objects.requireNonNull(maxHeaderSize, "maxHeaderSize");
        Objects.requireNonNull(maxConcurrentStreams, "maxConcurrentStreams");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(maxAsyncRequests, "maxAsyncRequests");
        Objects.requireNonNull(maxAsyncResponse, "maxAsyncResponse");
        Objects.requireNonNull(maxConnections, "maxConnections");
        idleTimeout.ifPresent(d -> notNegative(d, "idleTimeout"));
        headerTimeout.ifPresent(d -> notNegative(d, "headerTimeout"));
        startupTimeout.ifPresent(d -> Checks.positive(d, "startupTimeout"));
    }

    private static void notNegative(Duration d, String name) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
        }
    }
}
