package dev.airlock.audit;

import dev.airlock.config.Protocol;
import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An agent connection was authenticated.
 *
 * @param clientAddress  remote address as {@code host:port}, or {@code null}
 * @param clientProgram  what the client says it is ({@code application_name}, SSH version string, User-Agent), or {@code null}
 */
public record SessionStarted(UUID recordId, Instant at, UUID sessionId, Identity identity, String connection,
                             Protocol protocol, String clientAddress, String clientProgram) implements LineageEvent {
    public SessionStarted {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(protocol, "protocol");
    }

    public static SessionStarted of(UUID sessionId, Identity identity, String connection, Protocol protocol,
                                    String clientAddress, String clientProgram) {
        return new SessionStarted(LineageIds.next(), Instant.now(), sessionId, identity, connection, protocol,
                clientAddress, clientProgram);
    }
}
