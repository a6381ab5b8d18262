package dev.airlock.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids for lineage records, actions and sessions: RFC 9562 version 7 UUIDs (48 bits of Unix time in
 * milliseconds, then 74 random bits). They sort by creation time, so the primary-key indexes of the
 * lineage tables grow at their right edge instead of taking a random page for every insert — several
 * times cheaper for PostgreSQL than random (version 4) UUIDs at the rates the gate records.
 */
public final class LineageIds {

    private LineageIds() {}

    /** A new time-ordered id. */
    public static UUID next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long ms = System.currentTimeMillis();
        long hi = (ms << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lo = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(hi, lo);
    }
}
