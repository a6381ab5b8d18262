package dev.airlock.approvals;

import dev.airlock.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One request for a human decision, bound to the exact action, the identity, the connection and the
 * policy version. Immutable; its state lives in the {@link ApprovalStore}.
 *
 * @param id            unguessable request id (also the button value in chat cards)
 * @param profile       the approval profile in force when the request was made
 * @param requester     who asked (with the delegation chain)
 * @param actionDigest  {@code Action.digest()} of the held action
 * @param actionText    what would be executed, for humans (statement, argv, method + path); may be long
 * @param connection    the Airlock connection name
 * @param protocol      the connection's protocol, lower case
 * @param policyVersion the policy content hash
 * @param ruleIds       the rules that required approval
 * @param explanation   the rendered decision explanation
 * @param statedReason  the agent's stated reason, or {@code null}; shown, never trusted (nor part of the digest);
 *                      made one bounded line by {@link StatedReason#clean}
 * @param impact        the estimated impact, or {@code null}
 * @param targets       tables, hosts or routes
 * @param createdAt     when the request was made
 * @param expiresAt     when it expires
 * @param owner         the replica holding the waiting connection
 * @param sessionId     the lineage session, or {@code null}
 * @param actionId      the lineage action, or {@code null}
 */
public record ApprovalRequest(String id, ApprovalProfile profile, Identity requester, String actionDigest,
                              String actionText, String connection, String protocol, String policyVersion,
                              List<String> ruleIds, String explanation, String statedReason, String impact,
                              List<String> targets, Instant createdAt, Instant expiresAt, String owner,
                              java.util.UUID sessionId, java.util.UUID actionId) {

    public ApprovalRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(actionDigest, "actionDigest");
        Objects.requireNonNull(actionText, "actionText");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(policyVersion, "policyVersion");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(owner, "owner");
        ruleIds = List.copyOf(ruleIds);
        targets = List.copyOf(targets);
        explanation = explanation == null ? "" : explanation;
        statedReason = StatedReason.clean(statedReason);
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("expiresAt: " + expiresAt + " (expected: after createdAt " + createdAt + ")");
        }
    }

    /**
     * The key a grant window is bound to: issuer, subject and every actor, so an approval for "agent X
     * acting for Y" never covers "agent Z acting for Y".
     */
    public String requesterKey() {
        return requesterKey(requester);
    }

    public static String requesterKey(Identity identity) {
        StringBuilder sb = new StringBuilder(identity.issuer()).append('|').append(identity.subject());
        for (Identity.Actor a : identity.actors()) {
            sb.append('|').append(a.issuer() == null ? "" : a.issuer()).append('!').append(a.subject());
        }
        return sb.toString();
    }
}
