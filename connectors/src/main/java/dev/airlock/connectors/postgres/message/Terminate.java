package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The client is closing the session. */
public record Terminate() implements FrontendMessage {

    public static final Terminate INSTANCE = new Terminate();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('X').writeInt(4);
    }
}
