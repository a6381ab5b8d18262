package dev.airlock.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 helpers for action digests: every part is length-prefixed so that no two inputs collide by concatenation. */
public final class Digests {

    private Digests() {}

    public static String sha256Hex(List<String> parts) {
        MessageDigest md = sha256();
        for (String p : parts) {
            if (p == null) {
                md.update((byte) 0);
                continue;
            }
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            md.update((byte) 1);
            md.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
            md.update(b);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
