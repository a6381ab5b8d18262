package dev.airlock.policy;

import dev.airlock.config.Protocol;

/**
 * One command an agent sent, decoded from its protocol: the unit that policy decides, approvals bind
 * to and lineage records.
 */
public sealed interface Action permits SqlAction, SshAction, HttpAction {

    /** The Airlock connection name (from {@code airlock.yaml}) the action targets. */
    String connection();

    Protocol protocol();

    /**
     * A stable digest of exactly what would be executed (text + parameters, argv, method + path +
     * body digest); an approval is bound to it. Lower-case hex SHA-256.
     */
    String digest();

    /** A short human-readable rendering for cards, notices and logs (may be truncated, never secret). */
    String summary();
}
