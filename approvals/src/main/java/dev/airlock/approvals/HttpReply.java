package dev.airlock.approvals;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a {@link PlainHttpHandler} answers; the admin listener writes it out as is.
 *
 * @param status      HTTP status code
 * @param contentType the {@code Content-Type}, or {@code null} for an empty body
 * @param body        the body bytes
 */
public record HttpReply(int status, String contentType, byte[] body) {
    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
        }
        Objects.requireNonNull(body, "body");
    }

    public static HttpReply empty(int status) {
        return new HttpReply(status, null, new byte[0]);
    }

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply json(int status, String json) {
        return new HttpReply(status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
