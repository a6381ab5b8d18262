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
 * @param status       the HTTP status code the agent got, or {@code null} for other protocols
 * @param bytes        response body bytes sent to the agent, or {@code null} when not counted
 */
public record ResultRecorded(UUID recordId, Instant at, UUID actionId, Long rows, Duration duration,
                             String errorClass, String errorMessage, Integer status, Long bytes) implements LineageEvent {

    /** A result without an HTTP status or byte count. */
    public ResultRecorded(UUID recordId, Instant at, UUID actionId, Long rows, Duration duration,
                          String errorClass, String errorMessage) {
        this(recordId, at, actionId, rows, duration, errorClass, errorMessage, null, null);
    }

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
        if (status != null && (status < 100 || status > 999)) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-999)");
        }
        if (bytes != null && bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
    }

    public static ResultRecorded of(UUID actionId, Long rows, Duration duration, String errorClass, String errorMessage) {
        return new ResultRecorded(LineageIds.next(), Instant.now(), actionId, rows, duration, errorClass, errorMessage);
    }

    /**
     * An HTTP exchange: {@code errorClass} is {@code 4xx}/{@code 5xx} for error statuses (else {@code null}), the
     * message the reason ({@code null} when none).
     */
    public static ResultRecorded http(UUID actionId, int status, Long bytes, Duration duration, String errorMessage) {
        String errorClass = status >= 400 ? (status / 100) + "xx" : null;
        return new ResultRecorded(LineageIds.next(), Instant.now(), actionId, null, duration, errorClass,
                errorClass == null ? null : errorMessage, status, bytes);
    }
}
