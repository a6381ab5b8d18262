package dev.airlock.policy.sql;

import java.util.Objects;

/**
 * What one statement does to the session's SQL-level prepared statements once it has run, as
 * {@link SqlAnalyzer#preparedChanges(String)} reads it. Names are as the server keeps them: folded to lower case
 * unless quoted.
 */
public sealed interface PreparedChange {

    /** {@code PREPARE name [(types)] AS statement}: {@code name} now runs {@code statement}. */
    record Prepare(String name, String statement) implements PreparedChange {
        public Prepare {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(statement, "statement");
        }
    }

    /** {@code DEALLOCATE name}, or a {@code PREPARE} whose statement could not be read: {@code name} is gone. */
    record Deallocate(String name) implements PreparedChange {
        public Deallocate {
            Objects.requireNonNull(name, "name");
        }
    }

    /** {@code DEALLOCATE ALL}, {@code DISCARD ALL}: every prepared statement is gone. */
    record DeallocateAll() implements PreparedChange {
    }
}
