package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/** A notice (warning or information), with the same fields as {@link ErrorResponse}. */
public record NoticeResponse(Map<Character, String> fields) implements BackendMessage {

    public NoticeResponse {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A NOTICE-severity message with SQLSTATE 00000. */
    public static NoticeResponse notice(String message, String detail, String hint) {
        return new NoticeResponse(Fields.of("NOTICE", "00000", message, detail, hint));
    }

    static NoticeResponse decode(ByteBuf body) {
        return new NoticeResponse(Fields.decode(body));
    }

    public String message() {
        return fields.get('M');
    }

    @Override
    public void encode(ByteBuf out) {
        Fields.encode(out, 'N', fields);
    }
}
