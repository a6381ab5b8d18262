package dev.airlock.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request.
 *
 * @param connection Airlock connection name
 * @param method     upper-case method
 * @param host       the Host the agent addressed
 * @param path       decoded path, without query
 * @param query      query parameters, in order
 * @param headers    selected request headers, names lower-case; never the Authorization header
 * @param bodyDigest lower-case hex SHA-256 of the body when it was read before deciding, {@link #UNREAD_BODY} when
 *                   the body streams through unread (too large), or {@code null} for no body
 * @param jsonBody   the parsed body when it is JSON and small enough, else {@code null}; with a non-null
 *                   {@code bodyDigest} and no {@code jsonBody}, body criteria are unknown
 */
public record HttpAction(String connection, String method, String host, String path,
                         Map<String, List<String>> query, Map<String, List<String>> headers,
                         String bodyDigest, JsonNode jsonBody) implements Action {

    /** The {@code bodyDigest} of a body that streams through without Airlock reading it. */
    public static final String UNREAD_BODY = "unread";

    public HttpAction {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }

    @Override
    public Protocol protocol() {
        return Protocol.HTTP;
    }

    @Override
    public String digest() {
        return Digests.sha256Hex(List.of("http", connection, method, host == null ? "" : host, path,
                new java.util.TreeMap<>(query).toString(), bodyDigest == null ? "" : bodyDigest));
    }

    /**
     * {@code METHOD path?query} and, for a parsed JSON body, the body in compact form; cut to 300 characters.
     * Approvers see it on cards and in {@code airlock approvals list}, so it says what the request would do.
     */
    @Override
    public String summary() {
        StringBuilder sb = new StringBuilder(64).append(method).append(' ').append(path);
        if (!query.isEmpty()) {
            char sep = '?';
            for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(query).entrySet()) {
                for (String v : e.getValue()) {
                    sb.append(sep).append(e.getKey()).append('=').append(v);
                    sep = '&';
                }
            }
        }
        if (jsonBody != null) {
            sb.append(' ').append(jsonBody);
        } else if (UNREAD_BODY.equals(bodyDigest)) {
            sb.append(" (body streamed, not read)");
        } else if (bodyDigest != null) {
            sb.append(" (body sha256:").append(bodyDigest, 0, Math.min(12, bodyDigest.length())).append("…)");
        }
        return sb.length() <= 300 ? sb.toString() : sb.substring(0, 299) + "…";
    }
}
