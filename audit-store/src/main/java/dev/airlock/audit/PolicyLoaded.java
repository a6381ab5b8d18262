package dev.airlock.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A policy version became active: its content hash and source text. */
public record PolicyLoaded(UUID recordId, Instant at, String hash, String source) implements LineageEvent {
    public PolicyLoaded {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(source, "source");
    }

    public static PolicyLoaded of(String hash, String source) {
        return new PolicyLoaded(LineageIds.next(), Instant.now(), hash, source);
    }
}
