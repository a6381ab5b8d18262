package dev.airlock.gateway.identity.internal;

import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verified tokens until they expire, keyed by the SHA-256 of the token (the token itself is never kept),
 * least recently used evicted first.
 */
final class VerifiedTokenCache {

    private record Entry(Identity identity, Instant validUntil) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries;

    VerifiedTokenCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > VerifiedTokenCache.this.capacity;
            }
        };
    }

    synchronized Identity get(String tokenHash, Instant now) {
        Entry e = entries.get(tokenHash);
        if (e == null) {
            return null;
        }
        if (now.isAfter(e.validUntil())) {
            entries.remove(tokenHash);
            return null;
        }
        return e.identity();
    }

    synchronized void put(String tokenHash, Identity identity, Instant validUntil) {
        if (capacity > 0) {
            entries.put(tokenHash, new Entry(identity, validUntil));
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
