package dev.airlock.config.policy;

import java.util.Locale;

/** A rule's {@code effect}, as written. */
public enum RuleEffect {
    ALLOW,
    REQUIRE_APPROVAL,
    DENY;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
