package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** A statement finished; the tag says what it did ({@code SELECT 5}, {@code INSERT 0 1}, {@code COPY 3}, …). */
public record CommandComplete(String tag) implements BackendMessage {
    public CommandComplete {
        Objects.requireNonNull(tag, "tag");
    }

    static CommandComplete decode(ByteBuf body) {
        return new CommandComplete(Wire.readCString(body));
    }

    /** The row count at the end of the tag, or {@code -1} when the tag has none. */
    public long rows() {
        int sp = tag.lastIndexOf(' ');
        if (sp < 0) {
            return -1;
        }
        try {
            return Long.parseLong(tag.substring(sp + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'C');
        Wire.writeCString(out, tag);
        Wire.endFrame(out, at);
    }
}
