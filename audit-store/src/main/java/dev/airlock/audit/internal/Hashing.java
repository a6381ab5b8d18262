package dev.airlock.audit.internal;

import dev.airlock.policy.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/** The chain rule: {@code hash = SHA-256(prev_hash ‖ canonical content)}. */
public final class Hashing {

    /** The previous hash of the first record of a chain. */
    public static final byte[] GENESIS = new byte[32];

    private Hashing() {}

    /** The hash of a record whose canonical content is {@code canonical[0, len)}. */
    public static byte[] link(MessageDigest md, byte[] prev, byte[] canonical, int len) {
        md.reset();
        md.update(prev);
        md.update(canonical, 0, len);
        return md.digest();
    }

    public static byte[] link(byte[] prev, byte[] canonical) {
        return link(Digests.sha256(), prev, canonical, canonical.length);
    }

    /**
     * Canonical content of a record in {@code lineage.record}, the JSON journal Airlock kept before 0.2:
     * chain, seq, record id, kind, time in epoch microseconds and body, newline-separated, UTF-8.
     */
    public static byte[] legacyCanonical(String chain, long seq, UUID recordId, String kind, long atMicros, String body) {
        String s = chain + '\n' + seq + '\n' + recordId + '\n' + kind + '\n' + atMicros + '\n' + body;
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
