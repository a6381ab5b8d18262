package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** A {@code NOTIFY} delivered to a listening session. */
public record NotificationResponse(int processId, String channel, String payload) implements BackendMessage {
    public NotificationResponse {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
    }

    static NotificationResponse decode(ByteBuf body) {
        return new NotificationResponse(body.readInt(), Wire.readCString(body), Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'A');
        out.writeInt(processId);
        Wire.writeCString(out, channel);
        Wire.writeCString(out, payload);
        Wire.endFrame(out, at);
    }
}
