package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/** The server supports only minor version {@code newestMinor} and none of {@code unsupportedOptions}. */
public record NegotiateProtocolVersion(int newestMinor, List<String> unsupportedOptions) implements BackendMessage {
    public NegotiateProtocolVersion {
        unsupportedOptions = List.copyOf(unsupportedOptions);
    }

    static NegotiateProtocolVersion decode(ByteBuf body) {
        int minor = body.readInt();
        int n = body.readInt();
        List<String> options = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            options.add(Wire.readCString(body));
        }
        return new NegotiateProtocolVersion(minor, options);
    }

    @Override
    public void encode(ByteBuf out) {
        int at = Wire.beginFrame(out, 'v');
        out.writeInt(newestMinor);
        out.writeInt(unsupportedOptions.size());
        unsupportedOptions.forEach(o -> Wire.writeCString(out, o));
        Wire.endFrame(out, at);
    }
}
