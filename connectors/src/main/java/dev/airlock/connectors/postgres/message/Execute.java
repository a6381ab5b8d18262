package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** Extended query: run portal {@code portal}, returning at most {@code maxRows} rows (0 = all). */
public record Execute(String portal, int maxRows) implements FrontendMessage {
    public Execute {
        Objects.requireNonNull(portal, "portal");
    }

    static Execute decode(ByteBuf body) {
        return new Execute(Wire.readCString(body), body.readInt());
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'E');
        Wire.writeCString(out, portal);
        out.writeInt(maxRows);
        Wire.endFrame(out, at);
    }
}
