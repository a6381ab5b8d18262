package dev.airlock.config.yaml;

import java.util.Objects;

/**
 * Where something sits in a YAML file: the file as the user named it, and a 1-based line and column.
 *
 * @param file   the file name shown in messages (as given, e.g. {@code examples/airlock.yaml})
 * @param line   1-based line
 * @param column 1-based column
 */
public record Location(String file, int line, int column) {

    public Location {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
        }
        if (column < 1) {
            throw new IllegalArgumentException("column: " + column + " (expected: >= 1)");
        }
    }

    /** {@code file:line:column}. */
    @Override
    public String toString() {
        return file + ':' + line + ':' + column;
    }
}
