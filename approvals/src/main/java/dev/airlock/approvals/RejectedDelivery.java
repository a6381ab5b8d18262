package dev.airlock.approvals;

import java.time.Instant;
import java.util.Objects;

/**
 * A chat delivery (a click, a form post) refused before it reached a request: bad signature, stale or future
 * timestamp, replay, another app or workspace, a forged web form. Everything it names is unverified.
 *
 * @param channel     where it came from, e.g. {@code slack-http}, {@code slack-socket-mode}, {@code web}
 * @param reason      what was wrong, as the sender was told
 * @param requestId   the request it named, or {@code null}
 * @param claimedUser the user it named, or {@code null}
 * @param remote      the peer address, or {@code null}
 * @param bodyDigest  hex SHA-256 of the raw delivery, or {@code null}
 * @param at          when it arrived
 */
public record RejectedDelivery(String channel, String reason, String requestId, String claimedUser, String remote,
                               String bodyDigest, Instant at) {
    public RejectedDelivery {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        requestId = cut(requestId);
        claimedUser = cut(claimedUser);
        remote = cut(remote);
    }

    /** The hex SHA-256 of a delivery's raw bytes, for {@code bodyDigest}. */
    public static String digest(byte[] raw) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Unverified strings are kept, but not at any length. */
    private static String cut(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
