package dev.airlock.audit;

import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An approval request to persist: bound to the exact action (its digest), the identity, the connection
 * and the policy version that required it.
 *
 * @param actionId   the recorded action, or {@code null} when it is not recorded yet
 * @param sessionId  the agent's session, or {@code null}
 * @param approvers  who may approve, as the profile says (e.g. {@code group:dba})
 * @param channels   where the request was sent (e.g. {@code slack:#db-approvals}, {@code web})
 */
public record NewApproval(UUID requestId, UUID actionId, String actionDigest, UUID sessionId, Identity identity,
                          String connection, String policyVersion, String profile, List<String> approvers,
                          List<String> channels, String summary, Instant expiresAt) {
    public NewApproval {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(actionDigest, "actionDigest");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(policyVersion, "policyVersion");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(expiresAt, "expiresAt");
        approvers = List.copyOf(approvers);
        channels = List.copyOf(channels);
    }
}
