package dev.airlock.approvals.internal;

/** Bounding texts shown to approvers, the same way on every channel. */
public final class Texts {

    private Texts() {
    }

    /**
     * {@code s} cut to at most {@code max} chars, ending with an ellipsis when cut; never splits a surrogate pair;
     * {@code null} is {@code ""}.
     */
    public static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        if (s.length() <= max) {
            return s;
        }
        int cut = max - 1; // room for '…'
        if (cut > 0 && Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut) + "…";
    }
}
