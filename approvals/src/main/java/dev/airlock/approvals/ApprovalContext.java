package dev.airlock.approvals;

import dev.airlock.policy.ConnectionRef;
import java.util.List;
import java.util.Objects;

/**
 * What the gate knows about a request beyond the action itself.
 *
 * @param connection    the target connection
 * @param policyVersion the content hash of the policy that required approval
 * @param ruleIds       ids of the rules that matched
 * @param explanation   the rendered explanation of the decision
 * @param statedReason  the agent's own reason when the client supplied one (shown, never trusted), or {@code null};
 *                      made one bounded line by {@link StatedReason#clean}
 * @param impact        an estimate of the effect (e.g. rows), or {@code null}
 * @param targets       tables, hosts or routes the action touches
 * @param sessionId     the lineage session of the agent, or {@code null}
 * @param actionId      the lineage action row, or {@code null} when not recorded yet
 */
public record ApprovalContext(ConnectionRef connection, String policyVersion, List<String> ruleIds, String explanation,
                             String statedReason, String impact, List<String> targets,
                              java.util.UUID sessionId, java.util.UUID actionId) {

    public ApprovalContext {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(policyVersion, "policyVersion");
        ruleIds = List.copyOf(ruleIds);
        explanation = explanation == null ? "" : explanation;
        statedReason = StatedReason.clean(statedReason);
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
