package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The SASL outcome (for SCRAM: the server-final-message carrying the server signature). */
public record AuthenticationSASLFinal(byte[] data) implements Authentication {
    static final int CODE = 12;

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('R').writeInt(8 + data.length).writeInt(CODE).writeBytes(data);
    }
}
