package dev.airlock.policy.sql;

import java.util.Objects;
import java.util.Set;

/**
 * What one statement of a (possibly multi-statement) string does.
 *
 * @param type           statement type, upper-case words as in the server's command tag ({@code SELECT},
 *                       {@code INSERT}, {@code CREATE TABLE}, {@code COPY}, {@code DO} …)
 * @param kind           effective kind: the most privileged thing the statement does
 * @param tablesRead     relations read
 * @param tablesWritten  relations written (inserted, updated, deleted, truncated, copied into, created, dropped)
 * @param functions      functions called, lower-case, schema-qualified when written so
 * @param whereAbsent    true for an UPDATE or DELETE without a WHERE clause
 * @param unparsedReason why the analysis is incomplete, or {@code null} when it is complete
 */
public record SqlStatement(String type, SqlKind kind, Set<TableRef> tablesRead, Set<TableRef> tablesWritten,
                           Set<String> functions, boolean whereAbsent, String unparsedReason) {

    public SqlStatement {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        tablesRead = Set.copyOf(tablesRead);
        tablesWritten = Set.copyOf(tablesWritten);
        functions = Set.copyOf(functions);
    }

    public boolean unparsed() {
        return unparsedReason != null;
    }
}
