package dev.airlock.config.policy;

import java.util.Objects;
import java.util.Set;

/**
 * The {@code settings} block.
 *
 * @param onUnparsed       {@code most_privileged}, {@code deny}, or a SQL kind name: how to treat SQL the analyser could not fully read
 * @param unknownFunctions the SQL kind given to functions the analyser's catalogue does not know
 */
public record PolicySettings(String onUnparsed, String unknownFunctions) {

    /** The SQL kind names, least privileged first (mirrors {@code dev.airlock.policy.sql.SqlKind}). */
    public static final Set<String> SQL_KINDS = Set.of("transaction", "session", "read", "write", "export",
            "ddl", "dcl", "server_code", "admin");

    public static final PolicySettings DEFAULTS = new PolicySettings("most_privileged", "server_code");

    public PolicySettings {
        Objects.requireNonNull(onUnparsed, "onUnparsed");
        Objects.requireNonNull(unknownFunctions, "unknownFunctions");
        if (!onUnparsed.equals("most_privileged") && !onUnparsed.equals("deny") && !SQL_KINDS.contains(onUnparsed)) {
            throw new IllegalArgumentException("onUnparsed: " + onUnparsed + " (expected: most_privileged, deny or a SQL kind)");
        }
        if (!SQL_KINDS.contains(unknownFunctions)) {
            throw new IllegalArgumentException("unknownFunctions: " + unknownFunctions + " (expected: a SQL kind)");
        }
    }
}
