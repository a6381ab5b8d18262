package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Objects;

/** Extended query: close a prepared statement ({@code 'S'}) or portal ({@code 'P'}). */
public record Close(char target, String name) implements FrontendMessage {
    public Close {
        Objects.requireNonNull(name, "name");
        if (target != 'S' && target != 'P') {
            throw new CorruptedFrameException("Close target: '" + target + "' (expected: 'S' or 'P')");
        }
    }

    static Close decode(ByteBuf body) {
        return new Close((char) body.readByte(), Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'C');
        out.writeByte(target);
        Wire.writeCString(out, name);
        Wire.endFrame(out, at);
    }
}
