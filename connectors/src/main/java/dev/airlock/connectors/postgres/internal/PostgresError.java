package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.spi.Failure;

/** Every failure the PostgreSQL connector reports, with its SQLSTATE. */
public enum PostgresError {
    AUTHENTICATION_FAILED("28P01"),
    UNKNOWN_CONNECTION("3D000"),
    POLICY_DENIED("42501"),
    APPROVAL_DENIED("42501"),
    APPROVAL_EXPIRED("42501"),
    APPROVAL_CANCELLED("57014"),
    GATE_UNAVAILABLE("58000"),
    TOO_MANY_SESSIONS("53300"),
    PROTOCOL_VIOLATION("08P01"),
    UNSUPPORTED_PROTOCOL("0A000"),
    TLS_REQUIRED("28000"),
    UPSTREAM_UNAVAILABLE("08006"),
    STARTUP_TIMEOUT("08006"),
    IDLE_TIMEOUT("57P05"),
    ADMIN_SHUTDOWN("57P01");

    private final String sqlState;

    PostgresError(String sqlState) {
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }

    public static PostgresError of(Failure failure) {
        return switch (failure) {
            case AUTHENTICATION_FAILED -> AUTHENTICATION_FAILED;
            case UNKNOWN_CONNECTION -> UNKNOWN_CONNECTION;
            case POLICY_DENIED -> POLICY_DENIED;
            case APPROVAL_DENIED -> APPROVAL_DENIED;
            case APPROVAL_EXPIRED -> APPROVAL_EXPIRED;
            case APPROVAL_CANCELLED -> APPROVAL_CANCELLED;
            case TOO_MANY_SESSIONS -> TOO_MANY_SESSIONS;
            case UNAVAILABLE -> GATE_UNAVAILABLE;
        };
    }
}
