package dev.airlock.policy;

import dev.airlock.config.policy.PolicyDocument;
import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.config.policy.PolicyRule;
import dev.airlock.config.policy.PolicySettings;
import dev.airlock.config.policy.RuleMode;
import dev.airlock.policy.internal.CriterionCompiler;
import dev.airlock.policy.internal.Template;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Compiles validated policy documents into a {@link CompiledPolicy}, once per policy version. */
public final class PolicyCompiler {

    private PolicyCompiler() {}

    public static CompiledPolicy compile(PolicyDocument document) {
        return compile(List.of(document));
    }

    /**
     * Compiles several documents (the files listed in {@code airlock.yaml}) as one policy.
     *
     * @throws PolicyException when the documents disagree (duplicate rule ids or profiles, undefined
     *                         approval profiles, conflicting settings)
     */
    public static CompiledPolicy compile(List<PolicyDocument> documents) {
        PolicyReader.validateSet(documents);
        PolicySettings settings = PolicySettings.DEFAULTS;
        PolicyDocument settingsFrom = null;
        List<PolicyProblem> problems = new ArrayList<>();
        for (PolicyDocument d : documents) {
            if (!d.settings().equals(PolicySettings.DEFAULTS)) {
                if (settingsFrom != null && !settingsFrom.settings().equals(d.settings())) {
                    problems.add(new PolicyProblem(new dev.airlock.config.policy.SourceLocation(d.file(), 1, 1), "settings",
                            "conflicts with the settings in " + settingsFrom.file() + " (expected: settings in one file only)"));
                }
                settings = d.settings();
                settingsFrom = d;
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        List<CompiledPolicy.CompiledRule> enforced = new ArrayList<>();
        List<CompiledPolicy.CompiledRule> dryRun = new ArrayList<>();
        java.util.Map<String, dev.airlock.config.policy.ApprovalProfile> profiles = new java.util.LinkedHashMap<>();
        for (PolicyDocument d : documents) {
            profiles.putAll(d.approvalProfiles());
            for (PolicyRule r : d.rules()) {
                CompiledPolicy.CompiledRule cr = new CompiledPolicy.CompiledRule(r.id(),
                        Effect.valueOf(r.effect().name()), r.approval(), CriterionCompiler.compile(r.match()),
                        CriterionCompiler.protocols(r.match()),
                        r.explain() == null ? null : Template.compile(r.explain()),
                        r.hint() == null ? null : Template.compile(r.hint()),
                        CriterionCompiler.templateCaptures(r.match()));
                (r.mode() == RuleMode.DRY_RUN ? dryRun : enforced).add(cr);
            }
        }
        // Most decisive first; stable, so file order holds within one effect.
        enforced.sort(Comparator.comparing((CompiledPolicy.CompiledRule r) -> r.effect()).reversed());
        List<String> canon = new ArrayList<>();
        for (PolicyDocument d : documents) {
            canon.add(d.canonical());
        }
        canon.sort(null);
        String version = Digests.sha256Hex(canon);
        String onUnparsed = settings.onUnparsed();
        dev.airlock.policy.sql.SqlKind unparsedKind = switch (onUnparsed) {
            case "most_privileged", "deny" -> dev.airlock.policy.sql.SqlKind.values()[dev.airlock.policy.sql.SqlKind.values().length - 1];
            default -> dev.airlock.policy.sql.SqlKind.valueOf(onUnparsed.toUpperCase(Locale.ROOT));
        };
        return new CompiledPolicy(version, settings, unparsedKind, onUnparsed.equals("deny"), enforced, dryRun, profiles);
    }
}
