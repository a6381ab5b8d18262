package dev.airlock.config.policy;

import dev.airlock.config.yaml.ConfigProblem;
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

    /** The same problem in the shared config vocabulary (for {@code airlock check-config}). */
    public ConfigProblem toConfigProblem() {
        return new ConfigProblem(location.file(), location.line(), location.column(), path, message);
    }

    public static PolicyProblem of(ConfigProblem p) {
        return new PolicyProblem(new SourceLocation(p.file(), p.line(), p.column()), p.path(), p.message());
    }

    /** {@code file:line:column: path: message} (the path is left out when empty, as in {@code ConfigProblem}). */
    @Override
    public String toString() {
        return location + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
