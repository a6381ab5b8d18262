package dev.airlock.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Reading HTTP/1.1 off a raw socket, for tests that must see exactly what a server wrote. */
public final class RawHttp {

    private RawHttp() {
    }

    /** A response head as lower-case text, read byte by byte up to and including the blank line (or the end). */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
