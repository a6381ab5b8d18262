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
 * @param bodyDigest lower-case hex SHA-256 of the body, or {@code null} for no body
 * @param jsonBody   the parsed body when it is JSON and small enough, else {@code null}
 */
public record HttpAction(String connection, String method, String host, String path,
                         Map<String, List<String>> query, Map<String, List<String>> headers,
                         String bodyDigest, JsonNode jsonBody) implements Action {

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

    @Override
    public String summary() {
        return method + " " + path;
    }
}
