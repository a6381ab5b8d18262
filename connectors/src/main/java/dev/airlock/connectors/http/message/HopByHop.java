package dev.airlock.connectors.http.message;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection-specific header fields (RFC 9110 §7.6.1): a proxy removes {@code Connection}, every field it names,
 * and {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Transfer-Encoding}, {@code Upgrade},
 * {@code Trailer} and the proxy authentication fields before forwarding a message; framing is set again by the
 * connector for its own side of the exchange.
 */
public final class HopByHop {

    private static final AsciiString[] ALWAYS = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
        AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE, HttpHeaderNames.TRAILER, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.PROXY_AUTHENTICATE};

    private HopByHop() {
    }

    /** Removes the hop-by-hop fields from {@code headers}. */
    public static void strip(HttpHeaders headers) {
        List<String> named = null;
        for (String v : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(t);
                }
            }
        }
        if (named != null) {
            for (String n : named) {
                headers.remove(n);
            }
        }
        for (AsciiString n : ALWAYS) {
            headers.remove(n);
        }
    }

    /** Whether {@code name} (any case) is always hop-by-hop. */
    public static boolean isHopByHop(CharSequence name) {
        for (AsciiString n : ALWAYS) {
            if (n.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
