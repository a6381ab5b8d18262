package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The server asks for an md5-hashed password with this 4-byte salt. */
public record AuthenticationMD5Password(byte[] salt) implements Authentication {
    static final int CODE = 5;

    public AuthenticationMD5Password {
        if (salt.length != 4) {
            throw new IllegalArgumentException("salt: " + salt.length + " bytes (expected: 4)");
        }
        salt = salt.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('R').writeInt(12).writeInt(CODE).writeBytes(salt);
    }
}
