package dev.airlock.config.yaml;

import dev.airlock.config.yaml.internal.YamlTreeReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads the keys of one YAML mapping strictly. Every key read (or declared with {@link #known}) is
 * "known"; {@link #finish()} (called by {@link #build}) reports every other key as unknown, with a
 * "did you mean" suggestion. An explicit null ({@code key:}) counts as absent.
 */
public final class MappingReader {

    private final Binder binder;
    private final YamlMapping mapping;
    private final Set<String> known = new LinkedHashSet<>();
    private final int problemsAtStart;
    private boolean finished;

    MappingReader(Binder binder, YamlMapping mapping) {
        this.binder = binder;
        this.mapping = mapping;
        this.problemsAtStart = binder.problems().size();
    }

    public YamlMapping mapping() {
        return mapping;
    }

    public Location location() {
        return mapping.location();
    }

    public String path() {
        return mapping.path();
    }

    /** Declares keys as known without reading them (for keys read conditionally). */
    public MappingReader known(String... keys) {
        Collections.addAll(known, keys);
        return this;
    }

    /** Whether {@code key} is present with a non-null value. Marks it known. */
    public boolean has(String key) {
        return node(key).isPresent();
    }

    /** The node under {@code key} when present and not null. Marks it known. */
    public Optional<YamlNode> node(String key) {
        known.add(key);
        return mapping.get(key).filter(n -> !n.isNull());
    }

    /** The keys present, in document order. Marks them all known (for free-form mappings). */
    public List<String> keys() {
        known.addAll(mapping.keys());
        return List.copyOf(mapping.keys());
    }

    /**
     * The value of a required key; reports {@code missing required key 'k'} when absent (or null), and
     * returns {@code null} then or when the value is invalid.
     */
    public <T> T required(String key, Converter<T> converter) {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            problem("missing required key '" + key + "'");
            return null;
        }
        return converter.convert(node.get());
    }

    /** The value of an optional key; empty when absent, null or invalid (invalid is reported). */
    public <T> Optional<T> optional(String key, Converter<T> converter) {
        return node(key).map(converter::convert);
    }

    /** The value of an optional key, or {@code defaultValue} when absent, null or invalid (invalid is reported). */
    public <T> T optional(String key, Converter<T> converter, T defaultValue) {
        return optional(key, converter).orElse(defaultValue);
    }

    /** Reports a problem with the mapping as a whole. */
    public void problem(String message) {
        binder.problems().add(mapping.location(), mapping.path(), message);
    }

    /** Reports a problem with the value under {@code key} (or, when absent, at the mapping with the key's path). */
    public void problem(String key, String message) {
        Optional<YamlNode> node = mapping.get(key);
        if (node.isPresent()) {
            binder.problem(node.get(), message);
        } else {
            binder.problems().add(mapping.location(), YamlTreeReader.childPath(mapping.path(), key), message);
        }
    }

    /** Whether no problem has been reported (anywhere) since this reader was created. */
    public boolean ok() {
        return binder.problems().size() == problemsAtStart;
    }

    /** Reports unknown keys (once) and returns {@link #ok()}. */
    public boolean finish() {
        if (!finished) {
            finished = true;
            List<String> expected = new ArrayList<>(known);
            for (String key : mapping.keys()) {
                if (known.contains(key)) {
                    continue;
                }
                String hint = Suggestions.closest(key, expected)
                        .map(s -> "did you mean '" + s + "'?")
                        .orElse(expected.isEmpty() ? "no keys are allowed here"
                                : "expected one of: " + String.join(", ", expected));
                binder.problems().add(mapping.keyLocation(key), YamlTreeReader.childPath(mapping.path(), key),
                        "unknown key (" + hint + ")");
            }
        }
        return ok();
    }

    /**
     * Finishes the mapping and, when no problem was reported since this reader was created, constructs
     * the value. An {@link IllegalArgumentException} or {@link NullPointerException} from the
     * constructor (a compact-constructor check) becomes a problem at the mapping. Returns {@code null}
     * when anything was wrong.
     */
    public <T> T build(Supplier<T> constructor) {
        if (!finish()) {
            return null;
        }
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            problem(String.valueOf(e.getMessage()));
            return null;
        }
    }
}
