package dev.airlock.audit;

import java.time.Clock;
import java.util.Objects;

/**
 * How many records of one unauthenticated kind (refused connections, refused chat deliveries) are written one by one
 * per minute, so that whoever can reach a port cannot flood the lineage store. Past the budget, records are only
 * counted; the first record of the next minute carries the count of those suppressed before it. Thread-safe.
 */
public final class RecordBudget {

    /** What to do with one record. */
    public record Admission(boolean record, int suppressedBefore) {
        static final Admission SKIP = new Admission(false, 0);
        static final Admission RECORD = new Admission(true, 0);
    }

    private final int perMinute;
    private final Clock clock;
    private long window = Long.MIN_VALUE;
    private int used;
    private int suppressed;

    public RecordBudget(int perMinute, Clock clock) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute: " + perMinute + " (expected: >= 1)");
        }
        this.perMinute = perMinute;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Takes one record from this minute's budget. {@link Admission#suppressedBefore()} is non-zero once per minute
     * that follows a minute with suppressed records: record a summary of that many first (whether or not this
     * record itself is within budget).
     */
    public synchronized Admission take() {
        long now = clock.millis() / 60_000;
        int before = 0;
        if (now != window) {
            before = suppressed;
            window = now;
            used = 0;
            suppressed = 0;
        }
        boolean record = ++used <= perMinute;
        if (!record) {
            suppressed++;
        }
        if (before == 0) {
            return record ? Admission.RECORD : Admission.SKIP;
        }
        return new Admission(record, before);
    }

    public int perMinute() {
        return perMinute;
    }
}
