package dev.airlock.connectors.http.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}): {@code type}, {@code title},
 * {@code status}, {@code detail}, plus Airlock's members {@code rule_id}, {@code request_id}, {@code hint} and
 * whatever else the refusal needs ({@code approval_request_id}, …). Members that are {@code null} are left out.
 */
public record Problem(HttpError error, String detail, Map<String, Object> members) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Problem {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(detail, "detail");
        members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    public static Problem of(HttpError error, String detail) {
        return new Problem(error, detail, Map.of());
    }

    /** This problem with one more member ({@code null} values are dropped). */
    public Problem with(String name, Object value) {
        if (value == null) {
            return this;
        }
        Map<String, Object> m = new LinkedHashMap<>(members);
        m.put(name, value);
        return new Problem(error, detail, m);
    }

    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", error.type()).put("title", error.title()).put("status", error.status().code()).put("detail", detail);
        members.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        return o;
    }

    public byte[] bytes() {
        try {
            return JSON.writeValueAsBytes(json());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The whole response, with {@code Content-Type} and {@code Content-Length} set. */
    public FullHttpResponse response(ByteBufAllocator alloc, HttpVersion version) {
        byte[] b = bytes();
        ByteBuf body = alloc.buffer(b.length).writeBytes(b);
        FullHttpResponse r = new DefaultFullHttpResponse(version, error.status(), body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE).setInt(HttpHeaderNames.CONTENT_LENGTH, b.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
