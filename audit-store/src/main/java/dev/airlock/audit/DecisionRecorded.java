package dev.airlock.audit;

import dev.airlock.policy.Decision;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** The policy decided about an action. */
public record DecisionRecorded(UUID recordId, Instant at, UUID actionId, Decision decision) implements LineageEvent {
    public DecisionRecorded {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(decision, "decision");
    }

    public static DecisionRecorded of(UUID actionId, Decision decision) {
        return new DecisionRecorded(LineageIds.next(), Instant.now(), actionId, decision);
    }
}
