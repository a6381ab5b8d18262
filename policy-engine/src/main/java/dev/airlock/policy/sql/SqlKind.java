package dev.airlock.policy.sql;

/**
 * The effective kind of a SQL statement, ordered from least to most privileged. When a statement does
 * several things, its kind is the most privileged of them.
 */
public enum SqlKind {
    /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT … */
    TRANSACTION,
    /** SET, RESET, SHOW, DISCARD, LISTEN … */
    SESSION,
    /** SELECT and other reads without side effects. */
    READ,
    /** INSERT, UPDATE, DELETE, MERGE, TRUNCATE, SELECT … INTO, nextval … */
    WRITE,
    /** Data leaving the server in bulk: COPY … TO, lo_export, pg_read_file … */
    EXPORT,
    /** CREATE, ALTER, DROP … */
    DDL,
    /** GRANT, REVOKE, CREATE ROLE … */
    DCL,
    /** Code the server runs that Airlock cannot see into: DO, CALL, unknown functions, COPY … PROGRAM */
    SERVER_CODE,
    /** VACUUM, CHECKPOINT, ALTER SYSTEM, pg_terminate_backend … */
    ADMIN;

    /** The more privileged of two kinds. */
    public SqlKind max(SqlKind other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
