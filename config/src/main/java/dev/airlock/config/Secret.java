package dev.airlock.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (password, token, private key) that never shows itself by accident: {@link #toString()}
 * prints only where it came from ({@code Secret[${DB_PASSWORD}]}, {@code Secret[literal]}), never the
 * value. Call {@link #reveal()} at the one place the value is really needed.
 */
public final class Secret {

    private final String value;
    private final String source;

    private Secret(String value, String source) {
        this.value = Objects.requireNonNull(value, "value");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A secret written literally (in a config file or a test). */
    public static Secret of(String value) {
        return new Secret(value, "literal");
    }

    /**
     * A secret with a description of where it came from, e.g. {@code ${DB_PASSWORD}}. The source must
     * not contain the value.
     */
    public static Secret of(String value, String source) {
        return new Secret(value, source);
    }

    /** The secret value. Do not log it. */
    public String reveal() {
        return value;
    }

    /** Where the value came from, safe to show ({@code literal}, {@code ${NAME}}, {@code ${file:/path}}). */
    public String source() {
        return source;
    }

    /** Compares values in constant time; the source does not take part. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
    }

    /** Deliberately weak (the length) so the hash reveals next to nothing about the value. */
    @Override
    public int hashCode() {
        return value.length();
    }

    @Override
    public String toString() {
        return "Secret[" + source + "]";
    }
}
