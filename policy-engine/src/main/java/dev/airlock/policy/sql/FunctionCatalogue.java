package dev.airlock.policy.sql;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What calling a function does, by name. Names are lower case; an unqualified name also matches the
 * {@code pg_catalog}-qualified call. A name ending in {@code *} matches every name with that prefix
 * ({@code dblink*}). Functions not listed get {@link SqlAnalyzerOptions#unknownFunctionKind()}.
 *
 * @param kinds function name (or prefix pattern) → the kind a call has
 */
public record FunctionCatalogue(Map<String, SqlKind> kinds) {

    public FunctionCatalogue {
        Map<String, SqlKind> copy = new LinkedHashMap<>();
        kinds.forEach((name, kind) -> {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind of " + name);
            if (name.isEmpty() || name.equals("*")) {
                throw new IllegalArgumentException("function name: \"" + name + "\" (expected: a name or prefix*)");
            }
            copy.put(name.toLowerCase(Locale.ROOT), kind);
        });
        kinds = Map.copyOf(copy);
    }

    /** The built-in catalogue: common pure built-ins are {@link SqlKind#READ}, known side effects their kind. */
    public static FunctionCatalogue defaults() {
        return DefaultFunctions.CATALOGUE;
    }

    /** This catalogue with {@code name} mapped to {@code kind} (replacing an existing entry). */
    public FunctionCatalogue with(String name, SqlKind kind) {
        Map<String, SqlKind> m = new LinkedHashMap<>(kinds);
        m.put(name.toLowerCase(Locale.ROOT), kind);
        return new FunctionCatalogue(m);
    }

    /**
     * The kind of a call to {@code name} (lower case, possibly schema-qualified), or {@code null} when the
     * catalogue does not know it.
     */
    public SqlKind kindOf(String name) {
        SqlKind k = lookup(name);
        if (k == null && name.startsWith("pg_catalog.")) {
            k = lookup(name.substring("pg_catalog.".length()));
        }
        return k;
    }

    private SqlKind lookup(String name) {
        SqlKind k = kinds.get(name);
        if (k != null) {
            return k;
        }
        for (int i = name.length() - 1; i > 0; i--) {
            k = kinds.get(name.substring(0, i) + '*');
            if (k != null) {
                return k;
            }
        }
        return null;
    }
}
