package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** Extended query: end of a batch; the server answers ReadyForQuery. */
public record Sync() implements FrontendMessage {

    public static final Sync INSTANCE = new Sync();

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('S').writeInt(4);
    }
}
