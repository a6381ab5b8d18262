package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The server asks for the password in clear text. */
public record AuthenticationCleartextPassword() implements Authentication {
    static final int CODE = 3;
    public static final AuthenticationCleartextPassword INSTANCE = new AuthenticationCleartextPassword();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(CODE);
    }
}
