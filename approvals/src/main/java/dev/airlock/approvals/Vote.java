package dev.airlock.approvals;

/** A voter's choice. */
public enum Vote {
    APPROVE, DENY;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Vote fromWire(String s) {
        return switch (s) {
            case "approve" -> APPROVE;
            case "deny" -> DENY;
            default -> throw new IllegalArgumentException("vote: '" + s + "' (expected: approve or deny)");
        };
    }
}
