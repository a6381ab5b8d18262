package dev.airlock.approvals.slack.internal;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Slack's v0 request signature: {@code v0=} + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + raw body)). */
public final class SlackSignature {

    /** How far a request timestamp may be from now, either way. */
    public static final long MAX_SKEW_SECONDS = 300;

    private final byte[] secret;

    public SlackSignature(String signingSecret) {
        this.secret = signingSecret.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(String timestamp, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            mac.update(rawBody);
            return "v0=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time comparison of the expected and the presented signature. */
    public boolean matches(String timestamp, byte[] rawBody, String presented) {
        byte[] expected = sign(timestamp, rawBody).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether {@code timestamp} (epoch seconds) is within {@link #MAX_SKEW_SECONDS} of {@code nowSeconds}, past or future. */
    public static boolean fresh(long timestamp, long nowSeconds) {
        return Math.abs(nowSeconds - timestamp) <= MAX_SKEW_SECONDS;
    }
}
