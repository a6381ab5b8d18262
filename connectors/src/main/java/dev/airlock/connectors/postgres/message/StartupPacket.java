package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/** Decoding of the untyped packets a session may open with: SSLRequest, GSSENCRequest, CancelRequest, StartupMessage. */
public final class StartupPacket {

    private StartupPacket() {
    }

    /**
     * Decodes one whole untyped packet (length field included) without changing its reader index.
     *
     * @throws CorruptedFrameException when the packet is malformed
     */
    public static FrontendMessage decode(ByteBuf packet) {
        ByteBuf body = packet.slice(packet.readerIndex() + 4, packet.readableBytes() - 4);
        if (body.readableBytes() < 4) {
            throw new CorruptedFrameException("startup packet: " + packet.readableBytes() + " bytes (expected: >= 8)");
        }
        int code = body.readInt();
        try {
            return switch (code) {
                case SSLRequest.CODE -> fixed(body, SSLRequest.INSTANCE, "SSLRequest");
                case GSSENCRequest.CODE -> fixed(body, GSSENCRequest.INSTANCE, "GSSENCRequest");
                case CancelRequest.CODE -> {
                    CancelRequest c = new CancelRequest(body.readInt(), body.readInt());
                    yield fixed(body, c, "CancelRequest");
                }
                default -> StartupMessage.decode(code, body);
            };
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("startup packet: truncated body", e);
        }
    }

    private static FrontendMessage fixed(ByteBuf body, FrontendMessage m, String name) {
        Wire.requireEnd(body, name);
        return m;
    }
}
