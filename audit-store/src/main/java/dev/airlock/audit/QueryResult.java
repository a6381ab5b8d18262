package dev.airlock.audit;

import java.util.List;

/** Rows of an auditor query, column names first; values are JDBC objects (String, Number, Boolean, arrays as List). */
public record QueryResult(List<String> columns, List<List<Object>> rows) {
    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
