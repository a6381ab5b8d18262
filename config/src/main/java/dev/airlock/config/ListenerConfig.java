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
 * @param tls               TLS settings; empty means plaintext (allowed only on loopback addresses)
 * @param defaultConnection connection used when the client does not name one
 */
public record ListenerConfig(String name, Protocol protocol, String bind, int port, Optional<TlsConfig> tls,
                             Optional<String> defaultConnection) {

    public ListenerConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Checks.nonBlank(bind, "bind");
        Checks.port(port, "port");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(defaultConnection, "defaultConnection");
    }
}
