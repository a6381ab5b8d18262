package dev.airlock.config.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parsed and validated policy file.
 *
 * @param file             the file name used in messages
 * @param settings         the {@code settings} block (defaults when absent)
 * @param approvalProfiles profiles by name, in file order
 * @param rules            rules in file order
 * @param canonical        a canonical rendering of the parsed YAML (keys sorted, no comments, no formatting);
 *                         the policy version hashes it
 */
public record PolicyDocument(String file, PolicySettings settings, Map<String, ApprovalProfile> approvalProfiles,
                             List<PolicyRule> rules, String canonical) {

    public PolicyDocument {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(settings, "settings");
        approvalProfiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(approvalProfiles));
        rules = List.copyOf(rules);
        Objects.requireNonNull(canonical, "canonical");
    }
}
