package dev.airlock.config.yaml;

import java.util.List;
import java.util.Objects;

/**
 * A YAML sequence (list).
 *
 * @param location where the sequence starts
 * @param path     path of the sequence from the document root
 * @param items    the elements, in order; element {@code i} has path {@code path[i]}
 */
public record YamlSequence(Location location, String path, List<YamlNode> items) implements YamlNode {

    public YamlSequence {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(path, "path");
        items = List.copyOf(items);
    }

    @Override
    public String describe() {
        return "a list";
    }
}
