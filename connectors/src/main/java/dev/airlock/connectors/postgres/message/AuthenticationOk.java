package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** Authentication succeeded. */
public record AuthenticationOk() implements Authentication {
    static final int CODE = 0;
    public static final AuthenticationOk INSTANCE = new AuthenticationOk();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(CODE);
    }
}
