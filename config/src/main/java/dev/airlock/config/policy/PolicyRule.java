package dev.airlock.config.policy;

import java.util.Objects;

/**
 * One entry of {@code rules}.
 *
 * @param id          stable id, unique across all policy files
 * @param description free text, or {@code null}
 * @param match       the criteria; {@link Match#ALWAYS} when absent
 * @param effect      what the rule says
 * @param approval    the approval profile name; set exactly when {@code effect} is {@code require_approval}
 * @param explain     explanation template, or {@code null}
 * @param hint        hint template, or {@code null}
 * @param mode        enforce or dry_run
 * @param location    where the rule starts
 */
public record PolicyRule(String id, String description, Match match, RuleEffect effect, String approval,
                         String explain, String hint, RuleMode mode, SourceLocation location) {

    public PolicyRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(location, "location");
        if ((effect == RuleEffect.REQUIRE_APPROVAL) != (approval != null)) {
            throw new IllegalArgumentException("approval: " + approval + " (expected: set exactly when effect is require_approval)");
        }
    }
}
