package dev.airlock.config.yaml;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, located precisely.
 *
 * <p>{@link #toString()} renders {@code file:line:column: path: message}, e.g.
 * {@code policy.yaml:12:7: rules[2].effect: 'alow' is not one of allow, deny, require_approval}.
 * The path is omitted when it is empty (a problem with the document as a whole).
 * Messages never contain secret values.
 *
 * @param file    the file name shown to the user
 * @param line    1-based line
 * @param column  1-based column
 * @param path    where in the document, e.g. {@code rules[2].effect}; empty for the document itself
 * @param message what is wrong, and where possible what was expected
 */
public record ConfigProblem(String file, int line, int column, String path, String message) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        if (line < 1) {
            throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
        }
        if (column < 1) {
            throw new IllegalArgumentException("column: " + column + " (expected: >= 1)");
        }
    }

    public ConfigProblem(Location location, String path, String message) {
        this(location.file(), location.line(), location.column(), path, message);
    }

    public Location location() {
        return new Location(file, line, column);
    }

    @Override
    public String toString() {
        return file + ':' + line + ':' + column + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
