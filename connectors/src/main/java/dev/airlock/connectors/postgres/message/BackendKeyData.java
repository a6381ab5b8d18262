package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** The key pair a client quotes in a {@link CancelRequest}. */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {

    static BackendKeyData decode(ByteBuf body) {
        return new BackendKeyData(body.readInt(), body.readInt());
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('K').writeInt(12).writeInt(processId).writeInt(secretKey);
    }

    @Override
    public String toString() {
        return "BackendKeyData[processId=" + processId + ", secretKey=<hidden>]";
    }
}
