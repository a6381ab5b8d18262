package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Extended query: bind parameter values to statement {@code statement}, creating portal {@code portal}.
 *
 * @param parameterFormats 0 = text, 1 = binary; none = all text, one = applies to all
 * @param parameters       raw values, {@code null} for SQL NULL
 * @param resultFormats    result column format codes
 */
public record Bind(String portal, String statement, short[] parameterFormats, List<byte[]> parameters,
                   short[] resultFormats) implements FrontendMessage {

    public Bind {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(statement, "statement");
        parameterFormats = parameterFormats.clone();
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
        resultFormats = resultFormats.clone();
    }

    static Bind decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        String statement = Wire.readCString(body);
        int nf = Wire.readCount(body, 2);
        short[] formats = new short[nf];
        for (int i = 0; i < nf; i++) {
            formats[i] = body.readShort();
        }
        int np = Wire.readCount(body, 4);
        List<byte[]> params = new ArrayList<>(np);
        for (int i = 0; i < np; i++) {
            int len = body.readInt();
            params.add(len == -1 ? null : Wire.readBytes(body, len));
        }
        int nr = Wire.readCount(body, 2);
        short[] results = new short[nr];
        for (int i = 0; i < nr; i++) {
            results[i] = body.readShort();
        }
        return new Bind(portal, statement, formats, params, results);
    }

    /** Whether parameter {@code i} is sent in binary format. */
    public boolean isBinary(int i) {
        if (parameterFormats.length == 0) {
            return false;
        }
        return (parameterFormats.length == 1 ? parameterFormats[0] : parameterFormats[i]) == 1;
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'B');
        Wire.writeCString(out, portal);
        Wire.writeCString(out, statement);
        out.writeShort(parameterFormats.length);
        for (short f : parameterFormats) {
            out.writeShort(f);
        }
        out.writeShort(parameters.size());
        for (byte[] p : parameters) {
            if (p == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(p.length).writeBytes(p);
            }
        }
        out.writeShort(resultFormats.length);
        for (short f : resultFormats) {
            out.writeShort(f);
        }
        Wire.endFrame(out, at);
    }
}
