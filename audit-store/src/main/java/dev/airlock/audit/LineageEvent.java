package dev.airlock.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * One fact for the lineage store. Each event becomes one journal record with its own idempotent
 * {@link #recordId()}: writing the same event twice (a retry, a spool replay) stores it once.
 */
public sealed interface LineageEvent
        permits PolicyLoaded, SessionStarted, SessionEnded, SessionRefused, ActionRecorded, DecisionRecorded,
                ResultRecorded {

    /** Idempotency key of the record. */
    UUID recordId();

    /** When the fact happened; decides the monthly partition. */
    Instant at();
}
