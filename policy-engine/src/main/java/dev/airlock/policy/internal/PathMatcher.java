package dev.airlock.policy.internal;

import dev.airlock.config.policy.PathPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled {@code http.path} pattern: {@link #matches} runs the linear-time {@link Glob}; {@link #capture}
 * also says which segments the {@code {name}} captures took. As in {@link Glob}, a {@code **} segment stands for one
 * or more segments ({@code /a/**} matches {@code /a/} and {@code /a/b/c}, not {@code /a}). With {@code **} segments
 * several splits can match; each {@code **} then takes as few segments as it can (leftmost first), so the answer
 * is deterministic.
 * Capturing is O(pattern segments × path segments), without backtracking.
 */
public final class PathMatcher {

    private final PathPattern pattern;
    private final Glob glob;
    private final Object[] segments; // Glob for a literal segment, String for a capture, null for **
    private final boolean captures;

    private PathMatcher(PathPattern pattern) {
        this.pattern = pattern;
        this.glob = Glob.path(pattern.glob());
        this.segments = new Object[pattern.segments().size()];
        boolean any = false;
        for (int i = 0; i < segments.length; i++) {
            PathPattern.Segment s = pattern.segments().get(i);
            if (s instanceof PathPattern.Literal l) {
                segments[i] = Glob.path(l.glob());
            } else if (s instanceof PathPattern.Capture c) {
                segments[i] = c.name();
                any = true;
            }
        }
        this.captures = any;
    }

    public static PathMatcher of(String pattern) {
        return new PathMatcher(PathPattern.parse(pattern));
    }

    public String pattern() {
        return pattern.text();
    }

    public boolean hasCaptures() {
        return captures;
    }

    public boolean matches(String path) {
        return glob.matches(path);
    }

    /** The captured segments when {@code path} matches (empty for a pattern without captures), else {@code null}. */
    public Map<String, String> capture(String path) {
        if (path == null || !glob.matches(path)) {
            return null;
        }
        if (!captures) {
            return Map.of();
        }
        List<int[]> parts = split(path);
        int n = segments.length;
        int m = parts.size();
        // ok[i][j]: pattern segments i.. match path segments j..
        boolean[][] ok = new boolean[n + 1][m + 1];
        ok[n][m] = true;
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m; j >= 0; j--) {
                Object s = segments[i];
                if (s == null) {
                    ok[i][j] = j < m && (ok[i + 1][j + 1] || ok[i][j + 1]);
                } else if (j < m) {
                    int[] p = parts.get(j);
                    boolean one = s instanceof Glob g ? g.matches(path, p[0], p[1]) : p[1] > p[0];
                    ok[i][j] = one && ok[i + 1][j + 1];
                }
            }
        }
        if (!ok[0][0]) {
            return null; // the glob and the segment walk disagree only for '**' inside a segment, rejected at parse
        }
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int j = 0;
        while (i < n) {
            Object s = segments[i];
            if (s == null) {
                if (ok[i + 1][j + 1]) {
                    i++;
                }
                j++;
                continue;
            }
            if (s instanceof String name) {
                int[] p = parts.get(j);
                out.put(name, path.substring(p[0], p[1]));
            }
            i++;
            j++;
        }
        return out;
    }

    private static List<int[]> split(String path) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int k = 0; k <= path.length(); k++) {
            if (k == path.length() || path.charAt(k) == '/') {
                out.add(new int[] {start, k});
                start = k + 1;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return pattern.text();
    }
}
