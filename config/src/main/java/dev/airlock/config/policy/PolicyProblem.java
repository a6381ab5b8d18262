package dev.airlock.config.policy;

import java.util.Objects;

/**
 * One thing wrong with a policy file.
 *
 * @param location where it was found
 * @param path     the YAML path, e.g. {@code rules[2].approval}
 * @param message  what is wrong and what was expected
 */
public record PolicyProblem(SourceLocation location, String path, String message) {

    public PolicyProblem {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:column: path: message}. */
    @Override
    public String toString() {
        return location + ": " + path + ": " + message;
    }
}
