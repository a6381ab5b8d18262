package dev.airlock.policy.internal;

/**
 * Three-valued match result. {@link #UNKNOWN} means the action hides what the criterion asks about (SQL
 * the analyser could not fully read, a body too large to parse); a deny or require_approval rule treats
 * it as a match and an allow rule as no match, so that not knowing never lets an action through.
 */
public enum Tri {
    NO,
    YES,
    UNKNOWN;

    public static Tri of(boolean b) {
        return b ? YES : NO;
    }

    public Tri not() {
        return this == YES ? NO : this == NO ? YES : UNKNOWN;
    }
}
