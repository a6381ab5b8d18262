package dev.airlock.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What came back from upstream for an executed action.
 *
 * @param rows         rows returned or affected, or {@code null} when the protocol has no such count
 * @param errorClass   a failure category (SQLSTATE class, exit status, HTTP status class), or {@code null} on success
 * @param errorMessage the upstream's message, or {@code null}
 */
public record ResultRecorded(UUID recordId, Instant at, UUID actionId, Long rows, Duration duration,
                             String errorClass, String errorMessage) implements LineageEvent {
    public ResultRecorded {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
        if (rows != null && rows < 0) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: >= 0)");
        }
    }

    public static ResultRecorded of(UUID actionId, Long rows, Duration duration, String errorClass, String errorMessage) {
        return new ResultRecorded(LineageIds.next(), Instant.now(), actionId, rows, duration, errorClass, errorMessage);
    }
}
