package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Fast-path call of a server function by OID, bypassing SQL. */
public record FunctionCall(int functionOid, short[] argumentFormats, List<byte[]> arguments, short resultFormat)
        implements FrontendMessage {

    public FunctionCall {
        argumentFormats = argumentFormats.clone();
        arguments = Collections.unmodifiableList(new ArrayList<>(arguments));
    }

    static FunctionCall decode(ByteBuf body) {
        int oid = body.readInt();
        int nf = Wire.readCount(body, 2);
        short[] formats = new short[nf];
        for (int i = 0; i < nf; i++) {
            formats[i] = body.readShort();
        }
        int na = Wire.readCount(body, 4);
        List<byte[]> args = new ArrayList<>(na);
        for (int i = 0; i < na; i++) {
            int len = body.readInt();
            args.add(len == -1 ? null : Wire.readBytes(body, len));
        }
        return new FunctionCall(oid, formats, args, body.readShort());
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'F');
        out.writeInt(functionOid);
        out.writeShort(argumentFormats.length);
        for (short f : argumentFormats) {
            out.writeShort(f);
        }
        out.writeShort(arguments.size());
        for (byte[] a : arguments) {
            if (a == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(a.length).writeBytes(a);
            }
        }
        out.writeShort(resultFormat);
        Wire.endFrame(out, at);
    }
}
