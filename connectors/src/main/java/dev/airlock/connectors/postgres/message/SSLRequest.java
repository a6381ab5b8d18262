package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The client asks to switch to TLS before the startup message. */
public record SSLRequest() implements FrontendMessage {

    public static final int CODE = 80877103;
    public static final SSLRequest INSTANCE = new SSLRequest();

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8).writeInt(CODE);
    }
}
