package dev.airlock.config.policy.internal;

import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.SourceLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from a {@link YamlNode} tree that record a {@link PolicyProblem} instead of throwing, so
 * that one pass reports every problem. A read that fails returns {@code null} (or an empty list).
 */
public final class Binder {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final List<PolicyProblem> problems = new ArrayList<>();

    public List<PolicyProblem> problems() {
        return problems;
    }

    public void problem(SourceLocation at, String path, String message) {
        problems.add(new PolicyProblem(at, path, message));
    }

    /** The mapping at {@code node}, with unknown keys reported; {@code null} (and a problem) if it is not a mapping. */
    public YamlNode.MapNode map(YamlNode node, String path, Set<String> allowedKeys) {
        if (!(node instanceof YamlNode.MapNode m)) {
            problem(node.location(), path, "got " + node.describe() + " (expected: a mapping)");
            return null;
        }
        if (allowedKeys != null) {
            for (YamlNode.Entry e : m.entries().values()) {
                if (!allowedKeys.contains(e.key())) {
                    problem(e.keyLocation(), join(path, e.key()), "unknown key (expected one of: "
                            + String.join(", ", new java.util.TreeSet<>(allowedKeys)) + ")");
                }
            }
        }
        return m;
    }

    public static YamlNode get(YamlNode.MapNode m, String key) {
        YamlNode.Entry e = m.entries().get(key);
        return e == null ? null : e.value();
    }

    public static String join(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }

    /** A non-empty string scalar (numbers and booleans are accepted as their text). */
    public String string(YamlNode node, String path) {
        if (node instanceof YamlNode.Scalar s && s.type() != YamlNode.ScalarType.NULL) {
            if (s.text().isEmpty()) {
                problem(node.location(), path, "empty string (expected: a value)");
                return null;
            }
            return s.text();
        }
        problem(node.location(), path, "got " + node.describe() + " (expected: a string)");
        return null;
    }

    public Boolean bool(YamlNode node, String path) {
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.BOOLEAN) {
            return Boolean.valueOf(s.text());
        }
        problem(node.location(), path, "got " + describeValue(node) + " (expected: true or false)");
        return null;
    }

    public Integer integer(YamlNode node, String path, int min) {
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.INTEGER) {
            try {
                int v = Integer.parseInt(s.text());
                if (v >= min) {
                    return v;
                }
                problem(node.location(), path, v + " (expected: >= " + min + ")");
                return null;
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        problem(node.location(), path, "got " + describeValue(node) + " (expected: an integer >= " + min + ")");
        return null;
    }

    public Duration duration(YamlNode node, String path) {
        String text = node instanceof YamlNode.Scalar s && s.text() != null ? s.text() : null;
        Matcher m = text == null ? null : DURATION.matcher(text);
        if (m == null || !m.matches()) {
            problem(node.location(), path, "got " + describeValue(node) + " (expected: a duration like 500ms, 30s, 15m, 2h, 1d)");
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** One of {@code allowed} (compared after {@code normalise}); reports the allowed values otherwise. */
    public String oneOf(YamlNode node, String path, Set<String> allowed, Function<String, String> normalise) {
        String s = string(node, path);
        if (s == null) {
            return null;
        }
        String n = normalise.apply(s);
        if (!allowed.contains(n)) {
            problem(node.location(), path, "'" + s + "' is not one of: " + String.join(", ", new java.util.TreeSet<>(allowed)));
            return null;
        }
        return n;
    }

    /** A string or a non-empty list of strings; each element passes through {@code element} (null = drop). */
    public List<String> strings(YamlNode node, String path, ElementReader element) {
        List<String> out = new ArrayList<>();
        if (node instanceof YamlNode.ListNode l) {
            if (l.items().isEmpty()) {
                problem(node.location(), path, "empty list (expected: at least one value)");
            }
            for (int i = 0; i < l.items().size(); i++) {
                String v = element.read(l.items().get(i), path + '[' + i + ']');
                if (v != null) {
                    out.add(v);
                }
            }
        } else {
            String v = element.read(node, path);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    public List<String> strings(YamlNode node, String path) {
        return strings(node, path, this::string);
    }

    /** A mapping of key to a string or list of strings. */
    public Map<String, List<String>> multiMap(YamlNode node, String path, Function<String, String> keyNormalise) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        YamlNode.MapNode m = map(node, path, null);
        if (m == null) {
            return out;
        }
        if (m.entries().isEmpty()) {
            problem(node.location(), path, "empty mapping (expected: at least one key)");
        }
        for (YamlNode.Entry e : m.entries().values()) {
            out.put(keyNormalise.apply(e.key()), strings(e.value(), join(path, e.key())));
        }
        return out;
    }

    /** A mapping of key to one string. */
    public Map<String, String> singleMap(YamlNode node, String path, Function<String, String> keyNormalise) {
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode.MapNode m = map(node, path, null);
        if (m == null) {
            return out;
        }
        if (m.entries().isEmpty()) {
            problem(node.location(), path, "empty mapping (expected: at least one key)");
        }
        for (YamlNode.Entry e : m.entries().values()) {
            String v = string(e.value(), join(path, e.key()));
            if (v != null) {
                out.put(keyNormalise.apply(e.key()), v);
            }
        }
        return out;
    }

    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    public static String describeValue(YamlNode node) {
        if (node instanceof YamlNode.Scalar s && s.text() != null) {
            return "'" + s.text() + "'";
        }
        return node.describe();
    }

    /** Reads one list element. */
    @FunctionalInterface
    public interface ElementReader {
        String read(YamlNode node, String path);
    }
}
