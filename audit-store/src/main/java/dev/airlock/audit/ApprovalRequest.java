package dev.airlock.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A stored approval request and its current state. */
public record ApprovalRequest(UUID requestId, UUID actionId, String actionDigest, UUID sessionId, String subject,
                              List<String> chainSubjects, String connection, String policyVersion, String profile,
                              List<String> approvers, List<String> channels, String summary, Instant requestedAt,
                              Instant expiresAt, ApprovalState state, Instant stateChangedAt, String decidedBy,
                              String decidedChannel, String decidedReason) {
    public ApprovalRequest {
        chainSubjects = List.copyOf(chainSubjects);
        approvers = List.copyOf(approvers);
        channels = List.copyOf(channels);
    }
}
