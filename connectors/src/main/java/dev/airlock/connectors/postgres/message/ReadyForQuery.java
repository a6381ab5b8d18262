package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** The server is ready for the next command; carries the transaction status. */
public record ReadyForQuery(TransactionStatus status) implements BackendMessage {
    public ReadyForQuery {
        Objects.requireNonNull(status, "status");
    }

    static ReadyForQuery decode(ByteBuf body) {
        return new ReadyForQuery(TransactionStatus.of(body.readByte()));
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('Z').writeInt(5).writeByte(status.code());
    }
}
