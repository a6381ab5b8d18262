package dev.airlock.audit;

import dev.airlock.config.Protocol;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An agent connection Airlock refused before it became a session: a rejected token, an unknown connection, or a
 * moment when the gate could not verify or record. Nothing here is verified: no identity is known, and the
 * requested connection and client program are what the client sent.
 *
 * @param listener      the listener the client reached
 * @param connection    the Airlock connection the client asked for (may name no connection), or {@code null}
 * @param protocol      the listener's protocol
 * @param clientAddress the peer address, or {@code null}
 * @param clientProgram what the client says it is (e.g. PostgreSQL {@code application_name}), or {@code null}
 * @param failure       the failure code the client got, e.g. {@code authentication_failed}, {@code unknown_connection}
 * @param reason        the message the client got (never contains the token)
 */
public record SessionRefused(UUID recordId, Instant at, String listener, String connection, Protocol protocol,
                             String clientAddress, String clientProgram, String failure, String reason)
        implements LineageEvent {
    public SessionRefused {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(reason, "reason");
    }

    public static SessionRefused of(String listener, String connection, Protocol protocol, String clientAddress,
                                    String clientProgram, String failure, String reason) {
        return new SessionRefused(LineageIds.next(), Instant.now(), listener, connection, protocol, clientAddress,
                clientProgram, failure, reason);
    }
}
