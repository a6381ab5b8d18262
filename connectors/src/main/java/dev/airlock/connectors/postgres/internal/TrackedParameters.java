package dev.airlock.connectors.postgres.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Startup parameters a pooled upstream connection is switched between sessions by {@code SET} and
 * {@code RESET} (as pgbouncer tracks them), instead of opening a pool of connections for each value: without
 * this, every distinct {@code application_name} (a task id, a stated reason) would open upstream connections
 * of its own, and the pool size would bound nothing. Other startup parameters still key their own pools.
 *
 * <p>A session's parameters are applied with {@code pg_catalog.set_config}, which reads a value as the startup
 * packet does (a list for {@code search_path}); parameters the session does not name are {@code RESET} to the
 * server's default (pooled connections are opened without them, so that RESET does not return to another
 * session's value).
 */
final class TrackedParameters {

    /** The canonical spellings; matched without regard to case, as PostgreSQL matches parameter names. */
    static final List<String> NAMES = List.of("application_name", "client_encoding", "DateStyle", "TimeZone",
            "IntervalStyle", "extra_float_digits", "search_path");

    /**
     * The tracked ones PostgreSQL reports in ParameterStatus when a session sets them (lower case): a session's own
     * SET of one follows it to its next connection, so it leaves nothing to reset. {@code search_path} and
     * {@code extra_float_digits} are not reported.
     */
    static final java.util.Set<String> REPORTED = java.util.Set.of("application_name", "client_encoding", "datestyle",
            "timezone", "intervalstyle");

    private static final Map<String, String> BY_LOWER_CASE = new LinkedHashMap<>();

    static {
        NAMES.forEach(n -> BY_LOWER_CASE.put(n.toLowerCase(Locale.ROOT), n));
    }

    private TrackedParameters() {}

    /** The canonical spelling of a tracked parameter, or {@code null} when {@code name} is not tracked. */
    static String canonical(String name) {
        return BY_LOWER_CASE.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * A session's forwarded startup parameters, split.
     *
     * @param fixed   the rest, as given: they key the pool and are sent when it opens a connection
     * @param tracked the tracked ones by canonical name
     */
    record Split(Map<String, String> fixed, Map<String, String> tracked) {}

    static Split split(Map<String, String> forwarded) {
        Map<String, String> fixed = new LinkedHashMap<>();
        Map<String, String> tracked = new LinkedHashMap<>();
        forwarded.forEach((k, v) -> {
            String c = canonical(k);
            if (c == null) {
                fixed.put(k, v);
            } else {
                tracked.put(c, v);
            }
        });
        return new Split(fixed, tracked);
    }

    /**
     * The simple query that takes a connection from {@code applied} to {@code wanted} (both by canonical name), or
     * {@code null} when they are equal. PostgreSQL runs its statements in one implicit transaction, so a value it
     * refuses leaves the connection as it was.
     */
    static String syncSql(Map<String, String> applied, Map<String, String> wanted) {
        StringBuilder sql = new StringBuilder();
        for (String name : NAMES) {
            String want = wanted.get(name);
            String have = applied.get(name);
            if (Objects.equals(want, have)) {
                continue;
            }
            if (sql.length() > 0) {
                sql.append("; ");
            }
            if (want == null) {
                sql.append("RESET ").append(name);
            } else {
                sql.append("SELECT pg_catalog.set_config('").append(name).append("', ");
                literal(sql, want);
                sql.append(", false)");
            }
        }
        return sql.length() == 0 ? null : sql.toString();
    }

    /** An escape-string literal: the same meaning whatever {@code standard_conforming_strings} is. */
    private static void literal(StringBuilder sql, String value) {
        sql.append("E'");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'' || c == '\\') {
                sql.append(c);
            }
            sql.append(c);
        }
        sql.append('\'');
    }
}
