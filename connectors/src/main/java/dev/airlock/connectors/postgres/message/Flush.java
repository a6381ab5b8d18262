package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** Extended query: asks the server to send what it has buffered. */
public record Flush() implements FrontendMessage {

    public static final Flush INSTANCE = new Flush();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('H').writeInt(4);
    }
}
