package dev.airlock.audit.internal;

import java.util.Arrays;
import java.util.UUID;

/**
 * A growable byte array, written big-endian, reused from batch to batch by one thread.
 *
 * <p>Text is written as UTF-8 with two substitutions PostgreSQL forces on us: U+0000 (which {@code text}
 * and {@code jsonb} cannot hold) and lone UTF-16 surrogates become U+FFFD. The same bytes go to the
 * canonical content that is hashed and to the COPY stream, so what is stored is what is hashed.
 */
public final class Sink {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] a;
    private int n;

    public Sink(int capacity) {
        a = new byte[Math.max(16, capacity)];
    }

    public int length() {
        return n;
    }

    public byte[] array() {
        return a;
    }

    public void reset() {
        n = 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(a, n);
    }

    private void ensure(int more) {
        if (n + more > a.length) {
            a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
        }
    }

    public Sink put(int b) {
        ensure(1);
        a[n++] = (byte) b;
        return this;
    }

    public Sink put(byte[] b) {
        return put(b, 0, b.length);
    }

    public Sink put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, a, n, len);
        n += len;
        return this;
    }

    public Sink putShort(int v) {
        ensure(2);
        a[n++] = (byte) (v >>> 8);
        a[n++] = (byte) v;
        return this;
    }

    public Sink putInt(int v) {
        ensure(4);
        a[n++] = (byte) (v >>> 24);
        a[n++] = (byte) (v >>> 16);
        a[n++] = (byte) (v >>> 8);
        a[n++] = (byte) v;
        return this;
    }

    /** Overwrites four bytes at {@code at} (a length written after its content). */
    public void setInt(int at, int v) {
        a[at] = (byte) (v >>> 24);
        a[at + 1] = (byte) (v >>> 16);
        a[at + 2] = (byte) (v >>> 8);
        a[at + 3] = (byte) v;
    }

    public Sink putLong(long v) {
        ensure(8);
        for (int s = 56; s >= 0; s -= 8) {
            a[n++] = (byte) (v >>> s);
        }
        return this;
    }

    /** Writes ASCII text as is (callers guarantee it is ASCII: digits, hex, fixed names). */
    public Sink ascii(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            a[n++] = (byte) s.charAt(i);
        }
        return this;
    }

    public Sink decimal(long v) {
        if (v == Long.MIN_VALUE) {
            return ascii("-9223372036854775808");
        }
        if (v < 0) {
            put('-');
            v = -v;
        }
        ensure(19);
        int start = n;
        do {
            a[n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return this;
    }

    /** The canonical lower-case text form of a UUID, 36 ASCII characters. */
    public Sink uuidText(UUID u) {
        ensure(36);
        long hi = u.getMostSignificantBits();
        long lo = u.getLeastSignificantBits();
        hex(hi >>> 32, 8);
        a[n++] = '-';
        hex(hi >>> 16, 4);
        a[n++] = '-';
        hex(hi, 4);
        a[n++] = '-';
        hex(lo >>> 48, 4);
        a[n++] = '-';
        hex(lo, 12);
        return this;
    }

    private void hex(long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            a[n + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        n += digits;
    }

    /** UTF-8 with U+0000 and lone surrogates replaced by U+FFFD. */
    public Sink utf8(String s) {
        return text(s, false);
    }

    /**
     * A JSON string literal: quotes, {@code \"} {@code \\} {@code \b \f \n \r \t}, other control characters
     * as {@code \}{@code u00xx}, everything else as {@link #utf8} writes it (RFC 8785).
     */
    public Sink jsonString(String s) {
        ensure(1);
        a[n++] = '"';
        text(s, true);
        ensure(1);
        a[n++] = '"';
        return this;
    }

    private Sink text(String s, boolean json) {
        int len = s.length();
        ensure(len);
        byte[] b = a;
        int o = n;
        int i = 0;
        // fast path: printable ASCII, one byte each, room ensured above
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c < 0x20 || (json && (c == '"' || c == '\\'))) {
                break;
            }
            b[o++] = (byte) c;
        }
        n = o;
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c >= 0x20 && !(json && (c == '"' || c == '\\'))) {
                ensure(1);
                a[n++] = (byte) c;
            } else if (c < 0x20 && c != 0 && json) {
                escape(c);
            } else if (c < 0x20 && c != 0) {
                ensure(1);
                a[n++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                ensure(2);
                a[n++] = '\\';
                a[n++] = (byte) c;
            } else {
                i = utf8Slow(s, i);
            }
        }
        return this;
    }

    private void escape(char c) {
        ensure(6);
        a[n++] = '\\';
        switch (c) {
            case '\b' -> a[n++] = 'b';
            case '\f' -> a[n++] = 'f';
            case '\n' -> a[n++] = 'n';
            case '\r' -> a[n++] = 'r';
            case '\t' -> a[n++] = 't';
            default -> {
                a[n++] = 'u';
                a[n++] = '0';
                a[n++] = '0';
                a[n++] = HEX[c >> 4];
                a[n++] = HEX[c & 0xF];
            }
        }
    }

    /** Writes the non-ASCII (or NUL) character at {@code i}; returns the index of its last UTF-16 unit. */
    private int utf8Slow(String s, int i) {
        char c = s.charAt(i);
        ensure(4);
        if (c == 0) {
            replacement();
        } else if (c < 0x800) {
            a[n++] = (byte) (0xC0 | (c >> 6));
            a[n++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            a[n++] = (byte) (0xF0 | (cp >> 18));
            a[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            a[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            a[n++] = (byte) (0x80 | (cp & 0x3F));
            return i + 1;
        } else if (Character.isSurrogate(c)) {
            replacement();
        } else {
            a[n++] = (byte) (0xE0 | (c >> 12));
            a[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            a[n++] = (byte) (0x80 | (c & 0x3F));
        }
        return i;
    }

    private void replacement() {
        a[n++] = (byte) 0xEF;
        a[n++] = (byte) 0xBF;
        a[n++] = (byte) 0xBD;
    }
}
