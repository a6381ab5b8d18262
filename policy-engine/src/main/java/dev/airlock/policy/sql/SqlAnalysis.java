package dev.airlock.policy.sql;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The analysis of a statement string: one {@link SqlStatement} per statement, in order.
 *
 * @param statements  the statements, as the server would split them
 * @param fingerprint the normalised shape (literals and parameters stripped), hex; equal for equal shapes
 */
public record SqlAnalysis(List<SqlStatement> statements, String fingerprint) {

    public SqlAnalysis {
        statements = List.copyOf(statements);
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /** The most privileged kind over all statements ({@link SqlKind#READ} for an empty string). */
    public SqlKind kind() {
        SqlKind k = SqlKind.TRANSACTION;
        for (SqlStatement s : statements) {
            k = k.max(s.kind());
        }
        return statements.isEmpty() ? SqlKind.READ : k;
    }

    public boolean unparsed() {
        return statements.stream().anyMatch(SqlStatement::unparsed);
    }

    public Set<TableRef> tablesRead() {
        Set<TableRef> out = new LinkedHashSet<>();
        statements.forEach(s -> out.addAll(s.tablesRead()));
        return out;
    }

    public Set<TableRef> tablesWritten() {
        Set<TableRef> out = new LinkedHashSet<>();
        statements.forEach(s -> out.addAll(s.tablesWritten()));
        return out;
    }
}
