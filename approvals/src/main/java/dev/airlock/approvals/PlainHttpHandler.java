package dev.airlock.approvals;

import java.util.List;
import java.util.Map;

/**
 * An HTTP endpoint with no server attached: gateway-core's admin listener mounts it and hands over the
 * raw body (signatures are computed over the exact bytes). Implementations may block briefly; run them
 * off any event loop.
 */
@FunctionalInterface
public interface PlainHttpHandler {

    HttpReply handle(HttpCall call);

    /** The first value of a header, matching its name case-insensitively, or {@code null}. */
    static String header(Map<String, List<String>> headers, String name) {
        return new HttpCall("GET", "/", null, headers, null, null).header(name);
    }
}
