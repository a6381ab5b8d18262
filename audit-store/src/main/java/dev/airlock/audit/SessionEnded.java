package dev.airlock.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** An agent connection ended; {@code reason} is free text such as {@code client closed}, or {@code null}. */
public record SessionEnded(UUID recordId, Instant at, UUID sessionId, String reason) implements LineageEvent {
    public SessionEnded {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    public static SessionEnded of(UUID sessionId, String reason) {
        return new SessionEnded(LineageIds.next(), Instant.now(), sessionId, reason);
    }
}
