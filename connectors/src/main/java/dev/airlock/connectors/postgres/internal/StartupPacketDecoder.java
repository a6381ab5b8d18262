package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.message.FrontendMessage;
import dev.airlock.connectors.postgres.message.SSLRequest;
import dev.airlock.connectors.postgres.message.StartupPacket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Decodes the untyped packets that open a session, one per read, into {@link FrontendMessage}s. The
 * handshake handler replaces it with a {@link PgFrameDecoder} after the StartupMessage.
 *
 * <p>Bytes that follow an SSLRequest before the TLS handshake are refused (they would be plaintext the
 * client did not mean to send in clear: CVE-2021-23214).
 */
public final class StartupPacketDecoder extends ByteToMessageDecoder {

    /** PostgreSQL's own limit for startup packets. */
    public static final int MAX_STARTUP_PACKET = 10_000;

    public StartupPacketDecoder() {
        setSingleDecode(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_PACKET) {
            in.skipBytes(in.readableBytes());
            if (length > MAX_STARTUP_PACKET) {
                throw new TooLongFrameException("startup packet length: " + length + " (expected: <= " + MAX_STARTUP_PACKET + ")");
            }
            throw new CorruptedFrameException("startup packet length: " + length + " (expected: >= 8)");
        }
        if (in.readableBytes() < length) {
            return;
        }
        ByteBuf packet = in.readSlice(length);
        FrontendMessage m;
        try {
            m = StartupPacket.decode(packet);
        } catch (CorruptedFrameException e) {
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (m instanceof SSLRequest && in.isReadable()) {
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("unencrypted data after SSLRequest");
        }
        out.add(m);
    }
}
