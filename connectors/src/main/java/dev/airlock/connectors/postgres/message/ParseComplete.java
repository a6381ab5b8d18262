package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** A Parse succeeded. */
public record ParseComplete() implements BackendMessage {

    public static final ParseComplete INSTANCE = new ParseComplete();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('1').writeInt(4);
    }
}
