package dev.airlock.config.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every {@link ConfigProblem} found while reading one or more files, so that all of them
 * can be reported at once. Not thread-safe: one collector per load.
 */
public final class Problems {

    private final List<ConfigProblem> problems = new ArrayList<>();

    /** Records a problem with {@code node} (its location and path). */
    public void add(YamlNode node, String message) {
        add(new ConfigProblem(node.location(), node.path(), message));
    }

    /** Records a problem at an explicit location and path. */
    public void add(Location location, String path, String message) {
        add(new ConfigProblem(location, path, message));
    }

    public void add(ConfigProblem problem) {
        problems.add(problem);
    }

    public void addAll(List<ConfigProblem> more) {
        problems.addAll(more);
    }

    /** How many problems have been recorded so far (useful to tell whether a step added any). */
    public int size() {
        return problems.size();
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /**
     * The problems so far, sorted by file, line and column (stable for equal positions), as an
     * immutable list.
     */
    public List<ConfigProblem> list() {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparing(ConfigProblem::file)
                .thenComparingInt(ConfigProblem::line)
                .thenComparingInt(ConfigProblem::column));
        return List.copyOf(sorted);
    }

    @Override
    public String toString() {
        return "Problems" + list();
    }
}
