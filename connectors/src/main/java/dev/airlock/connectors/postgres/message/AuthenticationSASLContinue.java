package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** A SASL challenge (for SCRAM: the server-first-message). */
public record AuthenticationSASLContinue(byte[] data) implements Authentication {
    static final int CODE = 11;

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('R').writeInt(8 + data.length).writeInt(CODE).writeBytes(data);
    }
}
