package dev.airlock.connectors.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What an admitted command did.
 *
 * @param rows      rows returned or affected, summed over statements; {@code -1} when unknown
 * @param duration  from forwarding to the last response
 * @param errorCode the protocol's error code (SQLSTATE, errno, exit status) of the first error, or {@code null}
 * @param tag       the protocol's completion tag (e.g. {@code INSERT 0 3}, {@code 200}) of the last statement, or {@code null}
 * @param bytes     response bytes sent to the agent (HTTP body bytes); {@code -1} when not counted
 * @param errorMessage the upstream's message for the first error (e.g. PostgreSQL's {@code M} field), or {@code null}
 */
public record Outcome(long rows, Duration duration, String errorCode, String tag, long bytes, String errorMessage) {
    public Outcome {
        Objects.requireNonNull(duration, "duration");
        if (rows < -1) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: >= -1)");
        }
        if (bytes < -1) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= -1)");
        }
    }

    /** An outcome without an error message. */
    public Outcome(long rows, Duration duration, String errorCode, String tag, long bytes) {
        this(rows, duration, errorCode, tag, bytes, null);
    }

    /** An outcome without a byte count. */
    public Outcome(long rows, Duration duration, String errorCode, String tag) {
        this(rows, duration, errorCode, tag, -1);
    }

    public boolean failed() {
        return errorCode != null;
    }
}
