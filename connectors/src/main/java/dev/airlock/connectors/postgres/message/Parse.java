package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** Extended query: prepare {@code sql} as statement {@code name} ("" = unnamed) with the given parameter type OIDs. */
public record Parse(String name, String sql, int[] parameterTypes) implements FrontendMessage {
    public Parse {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sql, "sql");
        parameterTypes = parameterTypes.clone();
    }

    static Parse decode(ByteBuf body) {
        String name = Wire.readCString(body);
        String sql = Wire.readCString(body);
        int n = Wire.readCount(body, 4);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = body.readInt();
        }
        return new Parse(name, sql, types);
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'P');
        Wire.writeCString(out, name);
        Wire.writeCString(out, sql);
        out.writeShort(parameterTypes.length);
        for (int t : parameterTypes) {
            out.writeInt(t);
        }
        Wire.endFrame(out, at);
    }
}
