package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** A run-time parameter's current value (e.g. {@code server_version}, {@code client_encoding}). */
public record ParameterStatus(String name, String value) implements BackendMessage {
    public ParameterStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    static ParameterStatus decode(ByteBuf body) {
        return new ParameterStatus(Wire.readCString(body), Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'S');
        Wire.writeCString(out, name);
        Wire.writeCString(out, value);
        Wire.endFrame(out, at);
    }
}
