package dev.airlock.connectors.postgres.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Cuts typed protocol 3.0 frames (type byte, int32 length including itself, body) with a hard size cap.
 * Emits whole frames; oversize frames fail fast with {@link TooLongFrameException} and lengths below 4 with
 * {@link io.netty.handler.codec.CorruptedFrameException}. The cap can be lowered for a phase (e.g. before
 * authentication) with {@link #limit(int)}.
 */
public final class PgFrameDecoder extends LengthFieldBasedFrameDecoder {

    private final int maxFrameLength;
    private int limit;

    public PgFrameDecoder(int maxFrameLength) {
        super(checkMax(maxFrameLength), 1, 4, -4, 0, true);
        this.maxFrameLength = maxFrameLength;
        this.limit = maxFrameLength;
    }

    private static int checkMax(int maxFrameLength) {
        if (maxFrameLength < 5) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: >= 5)");
        }
        return maxFrameLength;
    }

    /** Sets the cap in force, at most the constructor's. */
    public void limit(int limit) {
        if (limit < 5 || limit > maxFrameLength) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 5-" + maxFrameLength + ")");
        }
        this.limit = limit;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (limit < maxFrameLength && in.readableBytes() >= 5) {
            long length = in.getUnsignedInt(in.readerIndex() + 1) + 1;
            if (length > limit) {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("frame length: " + length + " (expected: <= " + limit + ")");
            }
        }
        return super.decode(ctx, in);
    }
}
