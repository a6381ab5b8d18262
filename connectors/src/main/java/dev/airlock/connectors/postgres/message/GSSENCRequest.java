package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The client asks for GSSAPI encryption; Airlock always answers 'N'. */
public record GSSENCRequest() implements FrontendMessage {

    public static final int CODE = 80877104;
    public static final GSSENCRequest INSTANCE = new GSSENCRequest();

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8).writeInt(CODE);
    }
}
