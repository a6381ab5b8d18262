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

    /** Canonical content: chain, seq, record id, kind, time in epoch microseconds and body, newline-separated, UTF-8. */
    public static byte[] canonical(String chain, long seq, UUID recordId, String kind, long atMicros, String body) {
        String s = chain + '\n' + seq + '\n' + recordId + '\n' + kind + '\n' + atMicros + '\n' + body;
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] link(byte[] prev, byte[] canonical) {
        MessageDigest md = Digests.sha256();
        md.update(prev);
        md.update(canonical);
        return md.digest();
    }
}
