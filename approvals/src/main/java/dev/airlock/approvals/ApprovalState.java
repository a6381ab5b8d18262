package dev.airlock.approvals;

/** The life of an approval request: {@code PENDING} and then exactly one final state. */
public enum ApprovalState {
    PENDING, APPROVED, DENIED, EXPIRED, CANCELLED;

    public boolean isFinal() {
        return this != PENDING;
    }

    /** The lower-case name used in the store and on the wire. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ApprovalState fromWire(String s) {
        for (ApprovalState st : values()) {
            if (st.wireName().equals(s)) {
                return st;
            }
        }
        throw new IllegalArgumentException("state: '" + s + "' (expected: pending, approved, denied, expired or cancelled)");
    }
}
