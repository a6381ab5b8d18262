package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** COPY: the client aborts the copy with a message. */
public record CopyFail(String message) implements FrontendMessage {
    public CopyFail {
        Objects.requireNonNull(message, "message");
    }

    static CopyFail decode(ByteBuf body) {
        return new CopyFail(Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'f');
        Wire.writeCString(out, message);
        Wire.endFrame(out, at);
    }
}
