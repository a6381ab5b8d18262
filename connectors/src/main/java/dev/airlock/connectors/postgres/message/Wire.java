package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;

/** Primitive reads and writes shared by the message classes. */
final class Wire {

    private Wire() {
    }

    /** Reads a NUL-terminated UTF-8 string. */
    static String readCString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new CorruptedFrameException("string at offset " + buf.readerIndex() + ": no NUL terminator");
        }
        String s = buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.UTF_8);
        buf.readerIndex(end + 1);
        return s;
    }

    static void writeCString(ByteBuf buf, String s) {
        buf.writeCharSequence(s, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    static byte[] readBytes(ByteBuf buf, int length) {
        if (length < 0 || length > buf.readableBytes()) {
            throw new CorruptedFrameException("length: " + length + " (expected: 0-" + buf.readableBytes() + ")");
        }
        byte[] b = new byte[length];
        buf.readBytes(b);
        return b;
    }

    static int readCount(ByteBuf buf, int bytesPerItem) {
        int n = buf.readUnsignedShort();
        if ((long) n * bytesPerItem > buf.readableBytes()) {
            throw new CorruptedFrameException("count: " + n + " (expected: <= " + buf.readableBytes() / Math.max(1, bytesPerItem) + ")");
        }
        return n;
    }

    /** Starts a typed frame; returns the index of the length field for {@link #endFrame}. */
    static int beginFrame(ByteBuf buf, char type) {
        buf.writeByte(type);
        int at = buf.writerIndex();
        buf.writeInt(0);
        return at;
    }

    /** Starts an untyped (startup-phase) frame. */
    static int beginUntypedFrame(ByteBuf buf) {
        int at = buf.writerIndex();
        buf.writeInt(0);
        return at;
    }

    static void endFrame(ByteBuf buf, int lengthAt) {
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
    }

    static void requireEnd(ByteBuf buf, String message) {
        if (buf.isReadable()) {
            throw new CorruptedFrameException(message + ": " + buf.readableBytes() + " trailing bytes");
        }
    }
}
