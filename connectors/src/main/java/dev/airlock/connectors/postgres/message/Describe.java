package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Objects;

/** Extended query: describe a prepared statement ({@code 'S'}) or portal ({@code 'P'}). */
public record Describe(char target, String name) implements FrontendMessage {
    public Describe {
        Objects.requireNonNull(name, "name");
        if (target != 'S' && target != 'P') {
            throw new CorruptedFrameException("Describe target: '" + target + "' (expected: 'S' or 'P')");
        }
    }

    static Describe decode(ByteBuf body) {
        return new Describe((char) body.readByte(), Wire.readCString(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'D');
        out.writeByte(target);
        Wire.writeCString(out, name);
        Wire.endFrame(out, at);
    }
}
