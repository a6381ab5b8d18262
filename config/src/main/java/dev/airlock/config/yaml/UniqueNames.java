package dev.airlock.config.yaml;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks that names (connection names, rule ids, profile names) are unique, possibly across files.
 * A repeat is reported at the repeated node as {@code duplicate connection name 'x' (first defined at file:line:column)}.
 */
public final class UniqueNames {

    private final String what;
    private final Problems problems;
    private final Map<String, Location> seen = new HashMap<>();

    /**
     * @param what     what the names are, for messages, e.g. {@code "connection name"}
     * @param problems where duplicates are reported
     */
    public UniqueNames(String what, Problems problems) {
        this.what = what;
        this.problems = problems;
    }

    /** Claims {@code name} at {@code node}; returns false (and reports) when it was claimed before. */
    public boolean claim(String name, YamlNode node) {
        Location first = seen.putIfAbsent(name, node.location());
        if (first == null) {
            return true;
        }
        String where = first.file().equals(node.location().file())
                ? first.line() + ":" + first.column() : first.toString();
        problems.add(node, "duplicate " + what + " '" + name + "' (first defined at " + where + ")");
        return false;
    }

    public boolean contains(String name) {
        return seen.containsKey(name);
    }

    /** The names claimed so far. */
    public java.util.Set<String> names() {
        return java.util.Set.copyOf(seen.keySet());
    }
}
