package dev.airlock.connectors.postgres;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one PostgreSQL listener.
 *
 * @param sslContext               server TLS context offered on SSLRequest, or {@code null} to refuse TLS
 * @param allowPlaintextOnLoopback accept unencrypted sessions from loopback addresses (development only);
 *                                 everything else must use TLS because the password is a bearer token
 * @param maxFrameLength           largest frame accepted from a client, bytes
 * @param maxUpstreamFrameLength   largest frame accepted from the server, bytes
 * @param startupTimeout           from accept to ReadyForQuery (TLS, token check, upstream login)
 * @param upstreamConnectTimeout   TCP connect to the server
 * @param idleTimeout              close sessions with no traffic either way for this long ({@link Duration#ZERO} = never);
 *                                 a session waiting for approval is not idle
 * @param writeBufferLowWaterMark  back-pressure: resume reading the peer below this many queued bytes
 * @param writeBufferHighWaterMark back-pressure: stop reading the peer above this many queued bytes
 * @param maxWaitInTransaction     longest a statement may wait for the gate (approval) while the session has an open
 *                                 transaction, whose locks stay held meanwhile; then it is refused as expired and the
 *                                 transaction left failed ({@link Duration#ZERO} = only the approval's own timeout)
 */
public record PostgresListenerConfig(SslContext sslContext, boolean allowPlaintextOnLoopback, int maxFrameLength,
                                     int maxUpstreamFrameLength, Duration startupTimeout, Duration upstreamConnectTimeout,
                                     Duration idleTimeout, int writeBufferLowWaterMark, int writeBufferHighWaterMark,
                                     Duration maxWaitInTransaction) {

    public PostgresListenerConfig {
        if (maxFrameLength < 1024) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: >= 1024)");
        }
        if (maxUpstreamFrameLength < 1024) {
            throw new IllegalArgumentException("maxUpstreamFrameLength: " + maxUpstreamFrameLength + " (expected: >= 1024)");
        }
        requirePositive(startupTimeout, "startupTimeout");
        requirePositive(upstreamConnectTimeout, "upstreamConnectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
        }
        if (writeBufferLowWaterMark <= 0 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("writeBufferWaterMark: " + writeBufferLowWaterMark + "/" + writeBufferHighWaterMark
                    + " (expected: 0 < low <= high)");
        }
        Objects.requireNonNull(maxWaitInTransaction, "maxWaitInTransaction");
        if (maxWaitInTransaction.isNegative()) {
            throw new IllegalArgumentException("maxWaitInTransaction: " + maxWaitInTransaction + " (expected: >= 0)");
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /**
     * Defaults: 64 MiB client frames, 1 GiB server frames, 30 s startup, 10 s connect, 1 h idle, 32/64 KiB watermarks,
     * 5 min max wait inside a transaction.
     */
    public static PostgresListenerConfig defaults(SslContext sslContext, boolean allowPlaintextOnLoopback) {
        return new PostgresListenerConfig(sslContext, allowPlaintextOnLoopback, 64 << 20, 1 << 30,
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofHours(1), 32 << 10, 64 << 10, Duration.ofMinutes(5));
    }

    public PostgresListenerConfig withMaxFrameLength(int max) {
        return new PostgresListenerConfig(sslContext, allowPlaintextOnLoopback, max, maxUpstreamFrameLength, startupTimeout,
                upstreamConnectTimeout, idleTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, maxWaitInTransaction);
    }

    public PostgresListenerConfig withStartupTimeout(Duration timeout) {
        return new PostgresListenerConfig(sslContext, allowPlaintextOnLoopback, maxFrameLength, maxUpstreamFrameLength, timeout,
                upstreamConnectTimeout, idleTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, maxWaitInTransaction);
    }

    public PostgresListenerConfig withIdleTimeout(Duration timeout) {
        return new PostgresListenerConfig(sslContext, allowPlaintextOnLoopback, maxFrameLength, maxUpstreamFrameLength,
                startupTimeout, upstreamConnectTimeout, timeout, writeBufferLowWaterMark, writeBufferHighWaterMark,
                maxWaitInTransaction);
    }

    public PostgresListenerConfig withMaxWaitInTransaction(Duration wait) {
        return new PostgresListenerConfig(sslContext, allowPlaintextOnLoopback, maxFrameLength, maxUpstreamFrameLength,
                startupTimeout, upstreamConnectTimeout, idleTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, wait);
    }
}
