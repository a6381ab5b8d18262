package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The first message of a session: protocol version and connection parameters ({@code user}, {@code database}, …).
 *
 * @param protocolVersion major version in the high 16 bits, minor in the low 16 bits
 * @param parameters      name → value in the order sent
 */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) implements FrontendMessage {

    /** Protocol 3.0. */
    public static final int PROTOCOL_3_0 = 3 << 16;

    public StartupMessage {
        Objects.requireNonNull(parameters, "parameters");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    public int minorVersion() {
        return protocolVersion & 0xffff;
    }

    /** Decodes the body after the length and version fields. */
    static StartupMessage decode(int version, ByteBuf body) {
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            if (!body.isReadable()) {
                throw new CorruptedFrameException("StartupMessage: missing final NUL");
            }
            if (body.getByte(body.readerIndex()) == 0) {
                body.skipBytes(1);
                break;
            }
            String name = Wire.readCString(body);
            String value = Wire.readCString(body);
            if (params.put(name, value) != null) {
                throw new CorruptedFrameException("StartupMessage: parameter '" + name + "' given twice");
            }
        }
        Wire.requireEnd(body, "StartupMessage");
        return new StartupMessage(version, params);
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginUntypedFrame(out);
        out.writeInt(protocolVersion);
        parameters.forEach((k, v) -> {
            Wire.writeCString(out, k);
            Wire.writeCString(out, v);
        });
        out.writeByte(0);
        Wire.endFrame(out, at);
    }
}
