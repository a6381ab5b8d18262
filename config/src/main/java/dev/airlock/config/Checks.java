package dev.airlock.config;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/** Compact-constructor checks shared by the config records. */
final class Checks {

    private Checks() {
    }

    static String nonBlank(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + ": '' (expected: non-empty)");
        }
        return value;
    }

    static int port(int port, String name) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 1..65535)");
        }
        return port;
    }

    static java.time.Duration positive(java.time.Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    static <T extends Collection<?>> T nonNullElements(T values, String name) {
        Objects.requireNonNull(values, name);
        values.forEach(v -> Objects.requireNonNull(v, name + " element"));
        return values;
    }

    static <T extends Map<?, ?>> T nonNullEntries(T values, String name) {
        Objects.requireNonNull(values, name);
        values.forEach((k, v) -> {
            Objects.requireNonNull(k, name + " key");
            Objects.requireNonNull(v, name + " value");
        });
        return values;
    }
}
