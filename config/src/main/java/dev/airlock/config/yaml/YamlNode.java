package dev.airlock.config.yaml;

/**
 * A node of a parsed YAML document that remembers where it came from: its {@link Location} and its
 * {@link #path()} from the document root ({@code rules[2].effect}; empty for the root).
 */
public sealed interface YamlNode permits YamlMapping, YamlSequence, YamlScalar {

    Location location();

    String path();

    /** A short description for messages: {@code a mapping}, {@code a list}, {@code a string}, ... */
    String describe();

    /** Whether this is an explicit or implicit YAML null ({@code key:} or {@code key: null}). */
    default boolean isNull() {
        return this instanceof YamlScalar s && s.type() == YamlScalar.Type.NULL;
    }
}
