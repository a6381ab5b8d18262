package dev.airlock.config.yaml;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" for misspelt keys, enum values and names. */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidate closest to {@code input} by edit distance (case-insensitive), if it is close enough
     * to be a plausible typo: at most 1 edit for short words, up to a third of the length for longer ones.
     */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        String in = input.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(in, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, in.length() / 3));
        if (best == null || best.equals(input) || bestDistance > allowed) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
