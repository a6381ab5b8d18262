package dev.airlock.connectors.spi;

import java.util.Objects;

/**
 * The real server behind an Airlock connection and the credentials Airlock uses for it.
 *
 * @param host     host name or address
 * @param port     TCP port
 * @param database database (or other protocol-specific target) to open; {@code null} when not applicable
 * @param user     user name Airlock logs in as
 * @param password password or secret; {@code null} when the server needs none
 * @param tls      whether and how to encrypt the upstream connection
 */
public record UpstreamTarget(String host, int port, String database, String user, String password, TlsMode tls) {

    public UpstreamTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(tls, "tls");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    @Override
    public String toString() {
        return "UpstreamTarget[" + user + '@' + host + ':' + port + '/' + database + ", tls=" + tls + ']';
    }

    /** Encryption of the upstream connection. */
    public enum TlsMode {
        /** Plain TCP. */
        DISABLE,
        /** TLS required, server certificate not verified (test and lab use only). */
        REQUIRE,
        /** TLS required, certificate chain and host name verified against the JDK trust store. */
        VERIFY_FULL
    }
}
