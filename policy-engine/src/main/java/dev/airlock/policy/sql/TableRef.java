package dev.airlock.policy.sql;

import java.util.Objects;

/**
 * A table (or view) named by a statement, identifiers already decoded (quotes removed, case folded as
 * the server would).
 *
 * @param schema schema name, or {@code null} when the statement did not qualify it
 * @param name   relation name
 */
public record TableRef(String schema, String name) {

    public TableRef {
        Objects.requireNonNull(name, "name");
    }

    /** {@code schema.name}, or just {@code name}. */
    public String qualified() {
        return schema == null ? name : schema + '.' + name;
    }

    @Override
    public String toString() {
        return qualified();
    }
}
