package dev.airlock.config.yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code ${NAME}} and {@code ${file:/path}} references are looked up. {@link #system()} reads the
 * process environment and the file system; tests pass their own environment with {@link #of(Map)}.
 */
public interface SecretSource {

    /** The value of environment variable {@code name}, if set. */
    Optional<String> env(String name);

    /** The content of {@code file} (UTF-8). */
    default String file(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** The process environment and the real file system. */
    static SecretSource system() {
        return name -> Optional.ofNullable(System.getenv(name));
    }

    /** A fixed environment (and the real file system). */
    static SecretSource of(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return name -> Optional.ofNullable(copy.get(name));
    }
}
