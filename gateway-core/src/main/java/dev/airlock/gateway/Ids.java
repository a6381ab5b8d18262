package dev.airlock.gateway;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random version-4 UUIDs for lineage record and action ids, from a thread-local generator. They must be unique,
 * not secret (approval request ids, which grant nothing either, come from the approvals module), so the
 * lock-free {@link ThreadLocalRandom} replaces {@link UUID#randomUUID()}'s shared {@code SecureRandom} on the
 * per-statement path (4 ids per statement).
 */
final class Ids {

    private Ids() {
    }

    static UUID next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xf000L) | 0x4000L;
        long lsb = (r.nextLong() & ~(0xc000L << 48)) | (0x8000L << 48);
        return new UUID(msb, lsb);
    }
}
