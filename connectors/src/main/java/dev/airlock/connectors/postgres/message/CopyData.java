package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** COPY: a chunk of data (frontend direction; backend CopyData is relayed without decoding). */
public record CopyData(byte[] data) implements FrontendMessage {

    static CopyData decode(ByteBuf body) {
        return new CopyData(Wire.readBytes(body, body.readableBytes()));
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('d').writeInt(4 + data.length).writeBytes(data);
    }
}
