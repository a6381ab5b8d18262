package dev.airlock.audit.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * A journal record before it is sealed into a chain: id, kind, time (microseconds, as PostgreSQL
 * stores it) and the JSON body exactly as it will be stored and hashed.
 */
public record Envelope(UUID recordId, String kind, Instant at, String body) {
    public Envelope {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(body, "body");
        at = at.truncatedTo(ChronoUnit.MICROS);
    }

    public long atMicros() {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }
}
