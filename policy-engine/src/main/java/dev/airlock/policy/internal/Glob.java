package dev.airlock.policy.internal;

/**
 * A compiled glob: {@code *} (any run of characters, except {@code /} in path mode), {@code **} (any run,
 * including {@code /}) and {@code ?} (one character, except {@code /} in path mode). Matching runs in
 * O(input × pattern) with no backtracking and, for patterns of up to 63 tokens, without allocating.
 */
public final class Glob {

    private static final byte LIT = 0;
    private static final byte ONE = 1;
    private static final byte STAR = 2;
    private static final byte DSTAR = 3;

    private final String pattern;
    private final boolean path;
    private final boolean ignoreCase;
    private final byte[] kinds;
    private final char[] chars;
    /** Fast forms: 0 general, 1 exact, 2 prefix + "**" (or "*" when not in path mode), 3 match everything. */
    private final int shape;
    private final String literal;

    private Glob(String pattern, boolean path, boolean ignoreCase) {
        this.pattern = pattern;
        this.path = path;
        this.ignoreCase = ignoreCase;
        int n = pattern.length();
        byte[] k = new byte[n];
        char[] c = new char[n];
        int t = 0;
        for (int i = 0; i < n; i++) {
            char ch = pattern.charAt(i);
            if (ch == '*') {
                if (i + 1 < n && pattern.charAt(i + 1) == '*') {
                    k[t++] = DSTAR;
                    while (i + 1 < n && pattern.charAt(i + 1) == '*') {
                        i++;
                    }
                } else {
                    k[t++] = STAR;
                }
            } else if (ch == '?') {
                k[t++] = ONE;
            } else {
                c[t] = ignoreCase ? Character.toLowerCase(ch) : ch;
                k[t++] = LIT;
            }
        }
        this.kinds = java.util.Arrays.copyOf(k, t);
        this.chars = java.util.Arrays.copyOf(c, t);
        int wild = 0;
        int firstWild = -1;
        for (int i = 0; i < t; i++) {
            if (kinds[i] != LIT) {
                wild++;
                if (firstWild < 0) {
                    firstWild = i;
                }
            }
        }
        if (wild == 0) {
            shape = 1;
            literal = pattern;
        } else if (wild == 1 && firstWild == t - 1 && (kinds[firstWild] == DSTAR || (kinds[firstWild] == STAR && !path))) {
            shape = t == 1 ? 3 : 2;
            literal = new String(chars, 0, t - 1);
        } else {
            shape = 0;
            literal = null;
        }
    }

    /** A glob where {@code *} and {@code ?} match any character. */
    public static Glob of(String pattern, boolean ignoreCase) {
        return new Glob(pattern, false, ignoreCase);
    }

    /** A glob over {@code /}-separated paths: {@code *} and {@code ?} stop at {@code /}, {@code **} crosses it. */
    public static Glob path(String pattern) {
        return new Glob(pattern, true, false);
    }

    public String pattern() {
        return pattern;
    }

    public boolean matches(String s) {
        return s != null && matches(s, 0, s.length());
    }

    /** Whether {@code s[from, to)} matches. */
    public boolean matches(String s, int from, int to) {
        switch (shape) {
            case 1:
                return to - from == literal.length() && literal.regionMatches(ignoreCase, 0, s, from, to - from);
            case 2:
                return to - from >= literal.length() && s.regionMatches(ignoreCase, from, literal, 0, literal.length());
            case 3:
                return true;
            default:
                return kinds.length < 64 ? matchBits(s, from, to) : matchArray(s, from, to);
        }
    }

    private long closure(long set) {
        for (int i = 0; i < kinds.length; i++) {
            if ((set & (1L << i)) != 0 && kinds[i] >= STAR) {
                set |= 1L << (i + 1);
            }
        }
        return set;
    }

    private boolean matchBits(String s, int from, int to) {
        int t = kinds.length;
        long set = closure(1L);
        for (int p = from; p < to && set != 0; p++) {
            char c = s.charAt(p);
            char lc = ignoreCase ? Character.toLowerCase(c) : c;
            boolean slash = path && c == '/';
            long next = 0;
            for (int i = 0; i < t; i++) {
                if ((set & (1L << i)) == 0) {
                    continue;
                }
                switch (kinds[i]) {
                    case LIT -> {
                        if (chars[i] == lc) {
                            next |= 1L << (i + 1);
                        }
                    }
                    case ONE -> {
                        if (!slash) {
                            next |= 1L << (i + 1);
                        }
                    }
                    case STAR -> {
                        if (!slash) {
                            next |= 1L << i;
                        }
                    }
                    default -> next |= 1L << i;
                }
            }
            set = closure(next);
        }
        return (set & (1L << t)) != 0;
    }

    private boolean matchArray(String s, int from, int to) {
        int t = kinds.length;
        boolean[] set = new boolean[t + 1];
        boolean[] next = new boolean[t + 1];
        set[0] = true;
        closeArray(set);
        for (int p = from; p < to; p++) {
            char c = s.charAt(p);
            char lc = ignoreCase ? Character.toLowerCase(c) : c;
            boolean slash = path && c == '/';
            java.util.Arrays.fill(next, false);
            boolean any = false;
            for (int i = 0; i < t; i++) {
                if (!set[i]) {
                    continue;
                }
                switch (kinds[i]) {
                    case LIT -> {
                        if (chars[i] == lc) {
                            next[i + 1] = any = true;
                        }
                    }
                    case ONE -> {
                        if (!slash) {
                            next[i + 1] = any = true;
                        }
                    }
                    case STAR -> {
                        if (!slash) {
                            next[i] = any = true;
                        }
                    }
                    default -> next[i] = any = true;
                }
            }
            if (!any) {
                return false;
            }
            closeArray(next);
            boolean[] tmp = set;
            set = next;
            next = tmp;
        }
        return set[t];
    }

    private void closeArray(boolean[] set) {
        for (int i = 0; i < kinds.length; i++) {
            if (set[i] && kinds[i] >= STAR) {
                set[i + 1] = true;
            }
        }
    }

    @Override
    public String toString() {
        return pattern;
    }
}
