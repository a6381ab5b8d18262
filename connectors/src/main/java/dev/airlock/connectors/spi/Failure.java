package dev.airlock.connectors.spi;

/**
 * Why the gate refused, independent of protocol. Each connector maps every constant to its own error
 * (PostgreSQL SQLSTATE, MySQL errno, SSH exit status, HTTP status).
 */
public enum Failure {
    /** The credential is missing, invalid, expired or for another audience. */
    AUTHENTICATION_FAILED,
    /** No Airlock connection of that name, or the identity may not use it. */
    UNKNOWN_CONNECTION,
    /** Policy denies the command. */
    POLICY_DENIED,
    /** A human approver said no. */
    APPROVAL_DENIED,
    /** Nobody decided before the approval timed out. */
    APPROVAL_EXPIRED,
    /** The approval was cancelled (the agent cancelled or went away, or Airlock is shutting down). */
    APPROVAL_CANCELLED,
    /** The agent already has as many sessions open on the connection as it may ({@code max_sessions_per_agent}). */
    TOO_MANY_SESSIONS,
    /** The gate could not decide (lineage store or identity provider unreachable): fail closed. */
    UNAVAILABLE
}
