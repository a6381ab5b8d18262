package dev.airlock.config.yaml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A YAML mapping with its keys in document order. Keys are strings; each key remembers its own
 * location (used for "unknown key" problems).
 *
 * @param location     where the mapping starts
 * @param path         path of the mapping from the document root
 * @param entries      values by key, in document order
 * @param keyLocations where each key is written
 */
public record YamlMapping(Location location, String path, Map<String, YamlNode> entries,
                          Map<String, Location> keyLocations) implements YamlNode {

    public YamlMapping {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(path, "path");
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        keyLocations = Collections.unmodifiableMap(new LinkedHashMap<>(keyLocations));
    }

    public Optional<YamlNode> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    /** Where {@code key} is written, or the mapping's own location when the key is absent. */
    public Location keyLocation(String key) {
        return keyLocations.getOrDefault(key, location);
    }

    @Override
    public String describe() {
        return "a mapping";
    }
}
