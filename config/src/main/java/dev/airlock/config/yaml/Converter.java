package dev.airlock.config.yaml;

/**
 * Turns a {@link YamlNode} into a value. On bad input a converter reports a problem (through the
 * {@link Binder} it came from) and returns {@code null}; it never throws for bad input.
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface Converter<T> {

    /** The value, or {@code null} after a problem has been reported. */
    T convert(YamlNode node);
}
