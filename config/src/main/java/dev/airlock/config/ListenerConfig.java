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
 */
public record ListenerConfig(String name, Protocol protocol, String bind, int port, Optional<TlsConfig> tls,
                             Optional<java.nio.file.Path> hostKey, Optional<String> defaultConnection) {

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
    }
}
