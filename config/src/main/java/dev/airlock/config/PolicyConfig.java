package dev.airlock.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Which policy files to load.
 *
 * @param files absolute paths (written relative to {@code airlock.yaml}), at least one
 */
public record PolicyConfig(List<Path> files) {

    public PolicyConfig {
        files = List.copyOf(Checks.nonNullElements(files, "files"));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files: [] (expected: at least one policy file)");
        }
    }
}
