package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** Simple query: one string, possibly holding several statements. */
public record Query(String sql) implements FrontendMessage {
    public Query {
        Objects.requireNonNull(sql, "sql");
    }

    static Query decode(ByteBuf body) {
        return new Query(Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'Q');
        Wire.writeCString(out, sql);
        Wire.endFrame(out, at);
    }
}
