package dev.airlock.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Transaction-level pooling of a database connection's upstream connections (as pgbouncer's
 * {@code pool_mode = transaction}): an agent session holds an upstream connection only while a transaction is
 * open, so agents that reconnect often are cheap. Session state (SET, LISTEN, temporary tables, named prepared
 * statements) does not survive between transactions; named prepared statements are refused.
 *
 * @param size        most upstream connections open at once
 * @param idleTimeout close upstream connections unused for this long
 */
public record UpstreamPool(int size, Duration idleTimeout) {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

    public UpstreamPool {
        if (size <= 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
    }
}
