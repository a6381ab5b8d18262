package dev.airlock.connectors.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The real server behind an Airlock connection and the credentials Airlock uses for it.
 *
 * @param host             host name or address
 * @param port             TCP port
 * @param database         database (or other protocol-specific target) to open; {@code null} when not applicable
 * @param user             user name Airlock logs in as
 * @param password         password or secret; {@code null} when the server needs none
 * @param tls              whether and how to encrypt the upstream connection
 * @param rootCertificates PEM file of the certificate authorities trusted for {@link TlsMode#VERIFY_FULL};
 *                         {@code null} for the JDK's trust store
 * @param pool             share upstream connections between agent sessions per transaction; {@code null} for one
 *                         upstream connection per agent session (the default)
 */
public record UpstreamTarget(String host, int port, String database, String user, String password, TlsMode tls,
                             Path rootCertificates, Pool pool) {

    public UpstreamTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(tls, "tls");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (rootCertificates != null && tls != TlsMode.VERIFY_FULL) {
            throw new IllegalArgumentException("rootCertificates: " + rootCertificates + " (expected: only with tls VERIFY_FULL)");
        }
    }

    /** One upstream connection per agent session, no pooling, JDK trust store. */
    public UpstreamTarget(String host, int port, String database, String user, String password, TlsMode tls) {
        this(host, port, database, user, password, tls, null, null);
    }

    public UpstreamTarget withPool(Pool p) {
        return new UpstreamTarget(host, port, database, user, password, tls, rootCertificates, p);
    }

    public UpstreamTarget withTls(TlsMode mode, Path roots) {
        return new UpstreamTarget(host, port, database, user, password, mode, roots, pool);
    }

    @Override
    public String toString() {
        return "UpstreamTarget[" + user + '@' + host + ':' + port + '/' + database + ", tls=" + tls
                + (pool == null ? "" : ", pool=" + pool.size()) + ']';
    }

    /** Encryption of the upstream connection. */
    public enum TlsMode {
        /** Plain TCP. */
        DISABLE,
        /** TLS required, server certificate not verified (test and lab use only). */
        REQUIRE,
        /** TLS required, certificate chain and host name verified (against {@code rootCertificates} or the JDK trust store). */
        VERIFY_FULL
    }

    /**
     * Transaction-level pooling (as pgbouncer's {@code pool_mode = transaction}): an agent session holds an upstream
     * connection only from the first message of a transaction to the ReadyForQuery that ends it. Session state
     * (SET, LISTEN, temporary tables, named prepared statements) does not survive between transactions.
     *
     * @param size        upper bound of upstream connections, split evenly over Airlock's I/O threads (at least one each)
     * @param idleTimeout close upstream connections unused for this long
     */
    public record Pool(int size, Duration idleTimeout) {
        public Pool {
            if (size <= 0) {
                throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
            }
        }
    }
}
