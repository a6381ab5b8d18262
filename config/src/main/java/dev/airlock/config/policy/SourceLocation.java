package dev.airlock.config.policy;

import java.util.Objects;

/** Where something was written: file, 1-based line and column. Renders as {@code file:line:column}. */
public record SourceLocation(String file, int line, int column) {

    public SourceLocation {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
        }
        if (column < 1) {
            throw new IllegalArgumentException("column: " + column + " (expected: >= 1)");
        }
    }

    @Override
    public String toString() {
        return file + ':' + line + ':' + column;
    }
}
