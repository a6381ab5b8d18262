package dev.airlock.approvals;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP endpoint with no server attached: gateway-core's admin listener mounts it and hands over the
 * raw body (signatures are computed over the exact bytes). Implementations may block briefly; run them
 * off any event loop.
 */
@FunctionalInterface
public interface PlainHttpHandler {

    /**
     * @param method  the request method, upper case
     * @param path    the request path without the query
     * @param headers request headers; names are matched case-insensitively by {@link #header}
     * @param rawBody the body exactly as received
     */
    HttpReply handle(String method, String path, Map<String, List<String>> headers, byte[] rawBody);

    /** The first value of a header, matching its name case-insensitively, or {@code null}. */
    static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))
                    && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
