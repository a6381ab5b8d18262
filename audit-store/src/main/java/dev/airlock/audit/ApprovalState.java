package dev.airlock.audit;

import java.util.Locale;

/** States of an approval request: {@code PENDING} moves once, by compare-and-set, to one of the others. */
public enum ApprovalState {
    PENDING,
    APPROVED,
    DENIED,
    EXPIRED,
    /** The agent went away before a decision. */
    CANCELLED;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ApprovalState fromSql(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public boolean terminal() {
        return this != PENDING;
    }
}
