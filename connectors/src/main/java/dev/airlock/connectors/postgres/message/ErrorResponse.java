package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/** An error, as field code → value ({@code S} severity, {@code C} SQLSTATE, {@code M} message, {@code D}, {@code H}, …). */
public record ErrorResponse(Map<Character, String> fields) implements BackendMessage {

    public ErrorResponse {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** An ERROR-severity response. */
    public static ErrorResponse error(String sqlState, String message, String detail, String hint) {
        return new ErrorResponse(Fields.of("ERROR", sqlState, message, detail, hint));
    }

    /** A FATAL-severity response (the connection closes after it). */
    public static ErrorResponse fatal(String sqlState, String message, String detail, String hint) {
        return new ErrorResponse(Fields.of("FATAL", sqlState, message, detail, hint));
    }

    static ErrorResponse decode(ByteBuf body) {
        return new ErrorResponse(Fields.decode(body));
    }

    public String sqlState() {
        return fields.get('C');
    }

    public String message() {
        return fields.get('M');
    }

    @Override
    public void encode(ByteBuf out) {
        Fields.encode(out, 'E', fields);
    }
}
