package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.function.Function;

/** Type bytes of typed frontend frames, with a lookup table for dispatch. */
public enum FrontendType {
    BIND('B', Bind::decode),
    CLOSE('C', Close::decode),
    COPY_DATA('d', CopyData::decode),
    COPY_DONE('c', b -> CopyDone.INSTANCE),
    COPY_FAIL('f', CopyFail::decode),
    DESCRIBE('D', Describe::decode),
    EXECUTE('E', Execute::decode),
    FLUSH('H', b -> Flush.INSTANCE),
    FUNCTION_CALL('F', FunctionCall::decode),
    PARSE('P', Parse::decode),
    /** PasswordMessage, SASLInitialResponse and SASLResponse share this byte; the phase tells them apart. */
    PASSWORD('p', PasswordMessage::decode),
    QUERY('Q', Query::decode),
    SYNC('S', b -> Sync.INSTANCE),
    TERMINATE('X', b -> Terminate.INSTANCE);

    private static final FrontendType[] TABLE = new FrontendType[128];

    static {
        for (FrontendType t : values()) {
            TABLE[t.type] = t;
        }
    }

    private final char type;
    private final Function<ByteBuf, FrontendMessage> decoder;

    FrontendType(char type, Function<ByteBuf, FrontendMessage> decoder) {
        this.type = type;
        this.decoder = decoder;
    }

    public char type() {
        return type;
    }

    /** The type for a type byte, or {@code null} when the byte names no frontend message. */
    public static FrontendType of(byte b) {
        return b >= 0 ? TABLE[b] : null;
    }

    /**
     * Decodes one whole typed frame (type byte and length included) without changing its reader index.
     *
     * @throws CorruptedFrameException for an unknown type or a malformed body
     */
    public static FrontendMessage decode(ByteBuf frame) {
        FrontendType t = of(frame.getByte(frame.readerIndex()));
        if (t == null) {
            throw new CorruptedFrameException(String.format("frontend message type: 0x%02x (expected: a protocol 3.0 type)",
                    frame.getByte(frame.readerIndex())));
        }
        return t.decodeBody(frame);
    }

    /** Decodes the body of a frame of this type. */
    public FrontendMessage decodeBody(ByteBuf frame) {
        ByteBuf body = frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
        try {
            FrontendMessage m = decoder.apply(body);
            Wire.requireEnd(body, name());
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException(name() + ": truncated body", e);
        }
    }
}
