package dev.airlock.config.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An {@code http.path} pattern split into {@code /}-separated segments. A segment written {@code {name}} is a
 * capture: it matches one non-empty segment and remembers it under {@code name} (for {@code http.params} and the
 * {@code {path.name}} placeholder). Other segments are globs ({@code *}, {@code ?}); {@code **} crosses segments.
 * In a pattern with captures, {@code **} must be a whole segment, so what a capture took is never ambiguous.
 *
 * @param text     the pattern as written
 * @param glob     the same pattern with each capture replaced by {@code ?*} (one or more characters, no {@code /})
 * @param segments the segments, in order
 */
public record PathPattern(String text, String glob, List<Segment> segments) {

    /** A capture name: lower-case letters, digits and {@code _}, starting with a letter. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public PathPattern {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(glob, "glob");
        segments = List.copyOf(segments);
    }

    /** One segment of a pattern. */
    public sealed interface Segment permits Literal, Capture, AnySegments {}

    /** A glob over one segment (may be a plain literal). */
    public record Literal(String glob) implements Segment {}

    /** {@code {name}}: one non-empty segment, captured. */
    public record Capture(String name) implements Segment {}

    /** {@code **} as a whole segment: zero or more segments. */
    public record AnySegments() implements Segment {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message fit for a {@code file:line:col} problem
     */
    public static PathPattern parse(String text) {
        String[] parts = text.split("/", -1);
        List<Segment> segments = new ArrayList<>(parts.length);
        List<String> names = new ArrayList<>();
        StringBuilder glob = new StringBuilder(text.length());
        boolean anyInside = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i > 0) {
                glob.append('/');
            }
            int open = p.indexOf('{');
            int close = p.indexOf('}');
            if (open >= 0 || close >= 0) {
                if (open != 0 || close != p.length() - 1) {
                    throw new IllegalArgumentException("'" + text + "': a capture must be a whole segment, like /v1/customers/{id}");
                }
                String name = p.substring(1, p.length() - 1);
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("'" + text + "': capture name '" + name
                            + "' (expected: lower-case letters, digits and '_', starting with a letter)");
                }
                if (names.contains(name)) {
                    throw new IllegalArgumentException("'" + text + "': capture {" + name + "} appears twice");
                }
                names.add(name);
                segments.add(new Capture(name));
                glob.append("?*");
            } else if (p.equals("**")) {
                segments.add(new AnySegments());
                glob.append(p);
            } else {
                anyInside |= p.contains("**");
                segments.add(new Literal(p));
                glob.append(p);
            }
        }
        if (!names.isEmpty() && anyInside) {
            throw new IllegalArgumentException("'" + text + "': with captures, ** must be a whole segment (like /files/**)");
        }
        return new PathPattern(text, glob.toString(), segments);
    }

    /** The capture names, in order. */
    public List<String> captures() {
        List<String> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s instanceof Capture c) {
                out.add(c.name());
            }
        }
        return out;
    }
}
