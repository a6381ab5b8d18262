package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The field list shared by ErrorResponse and NoticeResponse. */
final class Fields {

    private Fields() {
    }

    static Map<Character, String> decode(ByteBuf body) {
        Map<Character, String> fields = new LinkedHashMap<>();
        while (true) {
            byte code = body.readByte();
            if (code == 0) {
                return Collections.unmodifiableMap(fields);
            }
            fields.put((char) code, Wire.readCString(body));
        }
    }

    static void encode(ByteBuf out, char type, Map<Character, String> fields) {
        int at = Wire.beginFrame(out, type);
        fields.forEach((k, v) -> {
            if (v != null) {
                out.writeByte(k);
                Wire.writeCString(out, v.replace('\0', ' '));
            }
        });
        out.writeByte(0);
        Wire.endFrame(out, at);
    }

    static Map<Character, String> of(String severity, String sqlState, String message, String detail, String hint) {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', severity);
        f.put('V', severity);
        f.put('C', sqlState);
        f.put('M', message);
        if (detail != null) {
            f.put('D', detail);
        }
        if (hint != null) {
            f.put('H', hint);
        }
        return f;
    }
}
