package dev.airlock.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The policy's answer for one action.
 *
 * @param effect           what happens
 * @param approvalProfile  the approval profile when {@code effect} is {@link Effect#REQUIRE_APPROVAL}, else {@code null}
 * @param matchedRules     ids of the enforced rules that matched, most decisive first
 * @param reasons          one reason code per criterion that decided, e.g. {@code sql.kind=write}
 * @param explanation      rendered explanation, safe to show to the agent
 * @param hint             what the agent can do about it, or {@code null}
 * @param policyVersion    content hash of the policy that decided
 * @param dryRun           what {@code mode: dry_run} rules would have done (not enforced)
 * @param obligations      constraints attached to an allow (reserved: statement timeout, row limit)
 */
public record Decision(Effect effect, String approvalProfile, List<String> matchedRules, List<String> reasons,
                       String explanation, String hint, String policyVersion, List<DryRunOutcome> dryRun,
                       Map<String, String> obligations) {

    public Decision {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(policyVersion, "policyVersion");
        if ((effect == Effect.REQUIRE_APPROVAL) != (approvalProfile != null)) {
            throw new IllegalArgumentException("approvalProfile: " + approvalProfile
                    + " (expected: set exactly when effect is REQUIRE_APPROVAL)");
        }
        matchedRules = List.copyOf(matchedRules);
        reasons = List.copyOf(reasons);
        dryRun = List.copyOf(dryRun);
        obligations = Map.copyOf(obligations);
    }

    /** The first matched rule id, or {@code "default"} when nothing matched (default deny). */
    public String decidingRule() {
        return matchedRules.isEmpty() ? "default" : matchedRules.get(0);
    }

    /** What a dry-run rule would have decided. */
    public record DryRunOutcome(String ruleId, Effect effect, String approvalProfile) {
        public DryRunOutcome {
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(effect, "effect");
        }
    }
}
