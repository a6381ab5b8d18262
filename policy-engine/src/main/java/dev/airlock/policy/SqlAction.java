package dev.airlock.policy;

import dev.airlock.config.Protocol;
import dev.airlock.policy.sql.SqlAnalysis;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A SQL statement string (possibly several statements) sent over a database protocol.
 *
 * @param connection Airlock connection name
 * @param protocol   {@link Protocol#POSTGRES} or {@link Protocol#MYSQL}
 * @param text       the statement text exactly as sent
 * @param parameters bound parameter values in text form ({@code null} for SQL NULL, binary as {@code \x} hex);
 *                   empty for simple queries
 * @param analysis   what the statement does
 */
public record SqlAction(String connection, Protocol protocol, String text, List<String> parameters, SqlAnalysis analysis)
        implements Action {

    public SqlAction {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(analysis, "analysis");
        parameters = parameters == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(parameters));
        if (protocol != Protocol.POSTGRES && protocol != Protocol.MYSQL) {
            throw new IllegalArgumentException("protocol: " + protocol + " (expected: POSTGRES or MYSQL)");
        }
    }

    @Override
    public String digest() {
        List<String> parts = new ArrayList<>(parameters.size() + 3);
        parts.add("sql");
        parts.add(connection);
        parts.add(text);
        parts.addAll(parameters);
        return Digests.sha256Hex(parts);
    }

    @Override
    public String summary() {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
