package dev.airlock.connectors.spi;

import dev.airlock.config.Protocol;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * Who is on the other end of a connection, as far as the protocol tells.
 *
 * @param protocol   the connector's protocol
 * @param remote     the agent's address
 * @param tls        whether the agent's connection is encrypted
 * @param user       the user name the client claimed (not verified; may be {@code null})
 * @param attributes other client-supplied settings worth recording (e.g. {@code application_name})
 */
public record ClientInfo(Protocol protocol, SocketAddress remote, boolean tls, String user, Map<String, String> attributes) {
    public ClientInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(remote, "remote");
        attributes = Map.copyOf(attributes);
    }
}
