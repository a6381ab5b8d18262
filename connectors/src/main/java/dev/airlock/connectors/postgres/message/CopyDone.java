package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** COPY: the client has sent all data. */
public record CopyDone() implements FrontendMessage {

    public static final CopyDone INSTANCE = new CopyDone();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('c').writeInt(4);
    }
}
