package dev.airlock.approvals.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Remembers keys (a chat user and its action, an envelope id, an activity id) for a while so a replayed delivery is seen once. */
public final class ReplayGuard {

    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final int maxEntries;

    public ReplayGuard(long ttlMillis, int maxEntries) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " (expected: > 0)");
        }
        this.ttlMillis = ttlMillis;
        this.maxEntries = maxEntries;
    }

    /** @return {@code true} the first time {@code key} is seen within the ttl */
    public boolean firstTime(String key, long nowMillis) {
        if (seen.size() >= maxEntries) {
            purge(nowMillis);
        }
        Long prev = seen.putIfAbsent(key, nowMillis + ttlMillis);
        if (prev == null) {
            return true;
        }
        if (prev < nowMillis) {
            return seen.replace(key, prev, nowMillis + ttlMillis);
        }
        return false;
    }

    private void purge(long nowMillis) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() < nowMillis) {
                it.remove();
            }
        }
    }
}
