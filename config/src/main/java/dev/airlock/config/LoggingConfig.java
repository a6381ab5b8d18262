package dev.airlock.config;

import java.util.Objects;

/**
 * Logging settings.
 *
 * @param format line format
 */
public record LoggingConfig(Format format) {

    /** Log line format. */
    public enum Format {
        /** Human-readable lines. */
        TEXT,
        /** One JSON object per line. */
        JSON
    }

    public static final LoggingConfig DEFAULT = new LoggingConfig(Format.TEXT);

    public LoggingConfig {
        Objects.requireNonNull(format, "format");
    }
}
