package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** Sent on a new connection to cancel the query running on the session identified by the key pair. */
public record CancelRequest(int processId, int secretKey) implements FrontendMessage {

    public static final int CODE = 80877102;

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(16).writeInt(CODE).writeInt(processId).writeInt(secretKey);
    }

    @Override
    public String toString() {
        return "CancelRequest[processId=" + processId + ", secretKey=<hidden>]";
    }
}
