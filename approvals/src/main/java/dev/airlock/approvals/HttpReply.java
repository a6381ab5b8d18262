package dev.airlock.approvals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link PlainHttpHandler} answers; the admin listener writes it out as is.
 *
 * @param status      HTTP status code
 * @param contentType the {@code Content-Type}, or {@code null} for an empty body
 * @param body        the body bytes
 * @param headers     further response headers (e.g. {@code Location}, {@code Set-Cookie}), in order
 */
public record HttpReply(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers) {
    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
        }
        Objects.requireNonNull(body, "body");
        headers = List.copyOf(headers);
    }

    public HttpReply(int status, String contentType, byte[] body) {
        this(status, contentType, body, List.of());
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

    /** This reply with one more header. */
    public HttpReply withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new HttpReply(status, contentType, body, h);
    }

    /** The first value of a header set on this reply, or {@code null}. */
    public String header(String name) {
        return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
