package dev.airlock.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A port where agents connect with their usual client.
 *
 * @param name              unique listener name
 * @param protocol          the protocol spoken on this port
 * @param bind              address to bind ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::})
 * @param port              TCP port
 * @param tls               TLS settings; empty means plaintext (allowed only on loopback addresses); never for SSH
 * @param hostKey           SSH only: the host key file (PEM/OpenSSH); empty means one is generated and kept
 *                          next to the lineage data
 * @param defaultConnection connection used when the client does not name one
 * @param plaintextOnLoopback with {@code tls}: also accept unencrypted sessions from loopback addresses
 *                          (benchmarks, local tools); without {@code tls} plaintext is the only choice (and the
 *                          listener must bind a loopback address)
 * @param maxWaitInTransaction database listeners: the longest a statement may wait for approval while its session
 *                          holds an open transaction (and its locks); {@link java.time.Duration#ZERO} for no cap
 *                          beyond the approval's own timeout
 * @param limits            idle and startup timeouts and size limits that differ from the protocol's defaults
 */
public record ListenerConfig(String name, Protocol protocol, String bind, int port, Optional<TlsConfig> tls,
                             Optional<java.nio.file.Path> hostKey, Optional<String> defaultConnection,
                             boolean plaintextOnLoopback, java.time.Duration maxWaitInTransaction,
                             ListenerLimits limits) {

    /** The default cap on waiting for approval inside a transaction. */
    public static final java.time.Duration DEFAULT_MAX_WAIT_IN_TRANSACTION = java.time.Duration.ofMinutes(5);

    public ListenerConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Checks.nonBlank(bind, "bind");
        Checks.port(port, "port");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(hostKey, "hostKey");
        if (protocol == Protocol.SSH && tls.isPresent()) {
            throw new IllegalArgumentException("tls: " + tls.get() + " (expected: none for ssh; SSH encrypts its own transport)");
        }
        if (protocol != Protocol.SSH && hostKey.isPresent()) {
            throw new IllegalArgumentException("hostKey: " + hostKey.get() + " (expected: none for " + protocol.yamlName() + ")");
        }
        Objects.requireNonNull(defaultConnection, "defaultConnection");
        Objects.requireNonNull(maxWaitInTransaction, "maxWaitInTransaction");
        if (maxWaitInTransaction.isNegative()) {
            throw new IllegalArgumentException("maxWaitInTransaction: " + maxWaitInTransaction + " (expected: >= 0)");
        }
        Objects.requireNonNull(limits, "limits");
    }

    /** With the protocol's default limits. */
    public ListenerConfig(String name, Protocol protocol, String bind, int port, Optional<TlsConfig> tls,
                          Optional<java.nio.file.Path> hostKey, Optional<String> defaultConnection,
                          boolean plaintextOnLoopback, java.time.Duration maxWaitInTransaction) {
        this(name, protocol, bind, port, tls, hostKey, defaultConnection, plaintextOnLoopback, maxWaitInTransaction,
                ListenerLimits.DEFAULTS);
    }

    /** Without plaintext on a TLS listener, with the default cap on waiting inside a transaction. */
    public ListenerConfig(String name, Protocol protocol, String bind, int port, Optional<TlsConfig> tls,
                          Optional<java.nio.file.Path> hostKey, Optional<String> defaultConnection) {
        this(name, protocol, bind, port, tls, hostKey, defaultConnection, false, DEFAULT_MAX_WAIT_IN_TRANSACTION);
    }
}
