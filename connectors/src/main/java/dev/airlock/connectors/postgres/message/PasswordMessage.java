package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A password-type message ('p'). Its body depends on the authentication phase: a NUL-terminated password,
 * a SASLInitialResponse or a SASLResponse; {@link #data()} holds the raw body and the phase reads it.
 * {@link #toString()} never shows it.
 */
public record PasswordMessage(byte[] data) implements FrontendMessage {

    static PasswordMessage decode(ByteBuf body) {
        return new PasswordMessage(Wire.readBytes(body, body.readableBytes()));
    }

    /** A cleartext or md5 password message. */
    public static PasswordMessage password(String password) {
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[p.length + 1];
        System.arraycopy(p, 0, d, 0, p.length);
        return new PasswordMessage(d);
    }

    /** A SASLInitialResponse. */
    public static PasswordMessage saslInitialResponse(String mechanism, byte[] initial) {
        byte[] m = mechanism.getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[m.length + 1 + 4 + initial.length];
        System.arraycopy(m, 0, d, 0, m.length);
        int i = m.length + 1;
        d[i] = (byte) (initial.length >>> 24);
        d[i + 1] = (byte) (initial.length >>> 16);
        d[i + 2] = (byte) (initial.length >>> 8);
        d[i + 3] = (byte) initial.length;
        System.arraycopy(initial, 0, d, i + 4, initial.length);
        return new PasswordMessage(d);
    }

    /** Reads the body as a cleartext password, or returns {@code null} when it is not NUL-terminated exactly once. */
    public String asPassword() {
        if (data.length == 0 || data[data.length - 1] != 0) {
            return null;
        }
        for (int i = 0; i < data.length - 1; i++) {
            if (data[i] == 0) {
                return null;
            }
        }
        return new String(data, 0, data.length - 1, StandardCharsets.UTF_8);
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'p');
        out.writeBytes(data);
        Wire.endFrame(out, at);
    }

    @Override
    public String toString() {
        return "PasswordMessage[<" + data.length + " bytes>]";
    }
}
