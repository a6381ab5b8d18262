package dev.airlock.config;

import dev.airlock.config.internal.AirlockConfigBinder;
import dev.airlock.config.yaml.SecretSource;
import dev.airlock.config.yaml.Validated;
import java.nio.file.Path;

/**
 * Loads {@code airlock.yaml}: parses, binds, validates and resolves secrets, reporting every problem
 * found (file:line:column: path: message) rather than the first.
 */
public final class AirlockConfigLoader {

    private AirlockConfigLoader() {
    }

    /** Loads {@code file} with secrets from the process environment and the file system. */
    public static Validated<AirlockConfig> load(Path file) {
        return load(file, SecretSource.system());
    }

    /** Loads {@code file} looking secrets up in {@code secrets}. */
    public static Validated<AirlockConfig> load(Path file, SecretSource secrets) {
        return AirlockConfigBinder.load(file, secrets);
    }
}
