package dev.airlock.connectors.http.message;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A request target read the way policy decides on it and the upstream receives it: the path percent-decoded
 * (strict UTF-8), dot segments resolved, encoded {@code /}, {@code \} and NUL refused, then encoded again one
 * canonical way; the query kept as sent (after checking its escapes) and decoded for policy, with {@code ;} an
 * ordinary character. What policy matched is exactly what goes upstream, so {@code /v1/public/../admin} or
 * {@code /v1/%61dmin} cannot slip past a rule for {@code /v1/admin}.
 *
 * @param segments  decoded path segments ({@code /a/b/} is {@code [a, b, ""]}; {@code /} is {@code [""]})
 * @param rawQuery  the query as sent, without {@code ?}, or {@code null}
 * @param authority the authority of an absolute-form target ({@code http://host/…}), or {@code null}
 * @param query     the query decoded for policy ({@code +} is a space, {@code ;} an ordinary character)
 */
public record RequestTarget(List<String> segments, String rawQuery, String authority, Map<String, List<String>> query) {

    /** Query parameters beyond this many are refused rather than hidden from policy. */
    public static final int MAX_PARAMETERS = 256;

    public RequestTarget {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("segments: [] (expected: at least one)");
        }
        query = java.util.Collections.unmodifiableMap(query);
    }

    /** A request target that cannot be read safely; the message says why (safe to show). */
    public static final class InvalidTargetException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidTargetException(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses an origin-form ({@code /p?q}) or absolute-form ({@code http://h/p?q}) target. */
    public static RequestTarget parse(String uri) throws InvalidTargetException {
        Objects.requireNonNull(uri, "uri");
        String authority = null;
        String rest = uri;
        String lower = uri.length() >= 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int start = lower.startsWith("http://") ? 7 : 8;
            int end = start;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            authority = uri.substring(start, end);
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                throw new InvalidTargetException("absolute request target without a plain host: " + shown(uri));
            }
            rest = end == uri.length() || uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
        } else if (!uri.startsWith("/")) {
            throw new InvalidTargetException("request target must start with '/' (or be an absolute http URL): " + shown(uri));
        }
        int q = rest.indexOf('?');
        String rawPath = q < 0 ? rest : rest.substring(0, q);
        String rawQuery = q < 0 ? null : rest.substring(q + 1);
        checkChars(rawPath, false);
        if (rawQuery != null) {
            checkChars(rawQuery, true);
        }
        List<String> out = new ArrayList<>();
        String[] raw = rawPath.substring(1).split("/", -1);
        boolean endsInDir = false;
        for (String r : raw) {
            String s = decode(r);
            if (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
                throw new InvalidTargetException("encoded '/', '\\' or NUL in a path segment is not accepted: " + shown(rawPath));
            }
            if (s.equals(".")) {
                endsInDir = true;
            } else if (s.equals("..")) {
                if (out.isEmpty()) {
                    throw new InvalidTargetException("path climbs above the root: " + shown(rawPath));
                }
                out.remove(out.size() - 1);
                endsInDir = true;
            } else {
                out.add(s);
                endsInDir = false;
            }
        }
        if (endsInDir || out.isEmpty()) {
            out.add("");
        }
        return new RequestTarget(out, rawQuery, authority, decodeQuery(rawQuery));
    }

    /** The decoded path policy sees, e.g. {@code /v1/refunds}. */
    public String path() {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(s);
        }
        return sb.toString();
    }

    /** The path encoded canonically (RFC 3986 pchar), for the upstream request line. */
    public String encodedPath() {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/');
            encodeSegment(s, sb);
        }
        return sb.toString();
    }

    /**
     * The part of this target below {@code prefix} ({@code /} or {@code /a/b}), or {@code null} when the path is
     * neither the prefix nor below it. {@code /a/b} below {@code /a/b} is {@code /}.
     */
    public RequestTarget below(String prefix) {
        if (prefix.equals("/")) {
            return this;
        }
        String[] p = prefix.substring(1).split("/");
        if (segments.size() < p.length) {
            return null;
        }
        for (int i = 0; i < p.length; i++) {
            if (!segments.get(i).equals(p[i])) {
                return null;
            }
        }
        List<String> rest = segments.subList(p.length, segments.size());
        return new RequestTarget(rest.isEmpty() ? List.of("") : rest, rawQuery, authority, query);
    }

    private static Map<String, List<String>> decodeQuery(String rawQuery) throws InvalidTargetException {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Map.of();
        }
        int params = 1;
        for (int i = 0; i < rawQuery.length(); i++) {
            if (rawQuery.charAt(i) == '&') {
                params++;
            }
        }
        if (params > MAX_PARAMETERS) {
            throw new InvalidTargetException("more than " + MAX_PARAMETERS + " query parameters");
        }
        try {
            return new LinkedHashMap<>(new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false, MAX_PARAMETERS, true)
                    .parameters());
        } catch (IllegalArgumentException e) {
            throw new InvalidTargetException("invalid query: " + e.getMessage());
        }
    }

    private static void checkChars(String s, boolean query) throws InvalidTargetException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isPchar(c) || c == '/' || c == '%' || (query && c == '?'))) {
                throw new InvalidTargetException(String.format("character 0x%02x not allowed in the %s (percent-encode it): %s",
                        (int) c, query ? "query" : "path", shown(s)));
            }
        }
    }

    private static boolean isPchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@".indexOf(c) >= 0;
    }

    private static String decode(String s) throws InvalidTargetException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                throw new InvalidTargetException("invalid percent-encoding in path: " + shown(s));
            }
            bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidTargetException("path is not UTF-8 after percent-decoding: " + shown(s));
        }
    }

    private static void encodeSegment(String s, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && isPchar(c)) {
                sb.append(c);
            } else {
                byte[] b = (Character.isHighSurrogate(c) && i + 1 < s.length()
                        ? s.substring(i, ++i + 1) : String.valueOf(c)).getBytes(StandardCharsets.UTF_8);
                for (byte x : b) {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
                }
            }
        }
    }

    /** The text cut to 100 characters for messages. */
    private static String shown(String s) {
        return s.length() <= 100 ? s : s.substring(0, 99) + "…";
    }
}
