package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** A Bind succeeded. */
public record BindComplete() implements BackendMessage {

    public static final BindComplete INSTANCE = new BindComplete();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('2').writeInt(4);
    }
}
