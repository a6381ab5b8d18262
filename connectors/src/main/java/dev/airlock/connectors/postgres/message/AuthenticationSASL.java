package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/** The server offers SASL with these mechanisms (e.g. {@code SCRAM-SHA-256}, {@code SCRAM-SHA-256-PLUS}). */
public record AuthenticationSASL(List<String> mechanisms) implements Authentication {
    static final int CODE = 10;

    public AuthenticationSASL {
        mechanisms = List.copyOf(mechanisms);
    }

    static AuthenticationSASL decodeMechanisms(ByteBuf body) {
        List<String> m = new ArrayList<>();
        while (body.isReadable() && body.getByte(body.readerIndex()) != 0) {
            m.add(Wire.readCString(body));
        }
        body.skipBytes(1);
        return new AuthenticationSASL(m);
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'R');
        out.writeInt(CODE);
        mechanisms.forEach(s -> Wire.writeCString(out, s));
        out.writeByte(0);
        Wire.endFrame(out, at);
    }
}
