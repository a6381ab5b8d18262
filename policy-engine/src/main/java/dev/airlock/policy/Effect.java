package dev.airlock.policy;

import java.util.Locale;

/** What a rule or a decision says should happen. Precedence: deny > require_approval > allow. */
public enum Effect {
    ALLOW,
    REQUIRE_APPROVAL,
    DENY;

    /** The YAML spelling: {@code allow}, {@code require_approval}, {@code deny}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
