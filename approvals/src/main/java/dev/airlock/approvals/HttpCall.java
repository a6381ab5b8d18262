package dev.airlock.approvals;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as gateway-core's admin listener hands it to a {@link PlainHttpHandler}: the body exactly
 * as received (signatures are computed over the raw bytes).
 *
 * @param method   the request method, upper case
 * @param path     the path without the query
 * @param rawQuery the query string as sent (still percent-encoded), or {@code null}
 * @param headers  request headers; look them up with {@link #header}, which ignores case
 * @param body     the raw body
 * @param remote   the peer address, for logs and lineage, or {@code null}
 */
public record HttpCall(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body,
                       String remote) {

    public HttpCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(headers, "headers");
        body = body == null ? new byte[0] : body;
    }

    /** The first value of a header, matching its name case-insensitively, or {@code null}. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** A query parameter (first value, decoded), or {@code null}. */
    public String query(String name) {
        return rawQuery == null ? null : form(rawQuery).get(name);
    }

    /** The body as an {@code application/x-www-form-urlencoded} form (first value of each field). */
    public Map<String, String> formBody() {
        return form(new String(body, StandardCharsets.UTF_8));
    }

    /** A cookie's value, or {@code null}. */
    public String cookie(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() == null || !e.getKey().toLowerCase(Locale.ROOT).equals("cookie")) {
                continue;
            }
            for (String line : e.getValue()) {
                for (String part : line.split(";")) {
                    int eq = part.indexOf('=');
                    if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                        String v = part.substring(eq + 1).trim();
                        // RFC 2965-style clients (e.g. java.net.CookieManager) quote values
                        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                    }
                }
            }
        }
        return null;
    }

    /** Decodes {@code a=1&b=2}; the first value of a repeated field wins; malformed escapes make the field absent. */
    public static Map<String, String> form(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return m;
        }
        for (String pair : s.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                m.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                // a malformed %-escape: leave the field out
            }
        }
        return m;
    }
}
