package dev.airlock.config.yaml;

import java.util.Objects;

/**
 * A YAML scalar: its text exactly as resolved by the YAML parser and the type YAML gave it
 * ({@code 5432} is an integer, {@code "5432"} a string, {@code true} a boolean, {@code ~} or an empty
 * value a null).
 *
 * @param location where the scalar is written
 * @param path     path from the document root
 * @param text     the scalar's text ({@code ""} for null)
 * @param type     the YAML type
 */
public record YamlScalar(Location location, String path, String text, Type type) implements YamlNode {

    /** The type YAML resolved for a scalar. */
    public enum Type { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

    public YamlScalar {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(type, "type");
    }

    @Override
    public String describe() {
        return switch (type) {
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case FLOAT -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
        };
    }
}
