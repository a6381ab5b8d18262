package dev.airlock.config.policy;

import java.util.Locale;

/** A rule's {@code mode}: {@code enforce} (default) or {@code dry_run} (evaluated and reported, never enforced). */
public enum RuleMode {
    ENFORCE,
    DRY_RUN;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
