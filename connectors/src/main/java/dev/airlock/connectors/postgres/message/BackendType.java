package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.function.Function;

/**
 * Type bytes of backend frames, with a lookup table for dispatch. Types Airlock only relays have no decoder.
 */
public enum BackendType {
    AUTHENTICATION('R', Authentication::decode),
    BACKEND_KEY_DATA('K', BackendKeyData::decode),
    BIND_COMPLETE('2', b -> BindComplete.INSTANCE),
    CLOSE_COMPLETE('3', null),
    COMMAND_COMPLETE('C', CommandComplete::decode),
    COPY_BOTH_RESPONSE('W', null),
    COPY_DATA('d', null),
    COPY_DONE('c', null),
    COPY_IN_RESPONSE('G', null),
    COPY_OUT_RESPONSE('H', null),
    DATA_ROW('D', null),
    EMPTY_QUERY_RESPONSE('I', null),
    ERROR_RESPONSE('E', ErrorResponse::decode),
    FUNCTION_CALL_RESPONSE('V', null),
    NEGOTIATE_PROTOCOL_VERSION('v', NegotiateProtocolVersion::decode),
    NO_DATA('n', null),
    NOTICE_RESPONSE('N', NoticeResponse::decode),
    NOTIFICATION_RESPONSE('A', NotificationResponse::decode),
    PARAMETER_DESCRIPTION('t', null),
    PARAMETER_STATUS('S', ParameterStatus::decode),
    PARSE_COMPLETE('1', b -> ParseComplete.INSTANCE),
    PORTAL_SUSPENDED('s', null),
    READY_FOR_QUERY('Z', ReadyForQuery::decode),
    ROW_DESCRIPTION('T', null);

    private static final BackendType[] TABLE = new BackendType[128];

    static {
        for (BackendType t : values()) {
            TABLE[t.type] = t;
        }
    }

    private final char type;
    private final Function<ByteBuf, BackendMessage> decoder;

    BackendType(char type, Function<ByteBuf, BackendMessage> decoder) {
        this.type = type;
        this.decoder = decoder;
    }

    public char type() {
        return type;
    }

    /** The type for a type byte, or {@code null} when the byte names no backend message. */
    public static BackendType of(byte b) {
        return b >= 0 ? TABLE[b] : null;
    }

    /** The type of a whole frame. @throws CorruptedFrameException when the type byte is unknown */
    public static BackendType ofFrame(ByteBuf frame) {
        BackendType t = of(frame.getByte(frame.readerIndex()));
        if (t == null) {
            throw new CorruptedFrameException(String.format("backend message type: 0x%02x (expected: a protocol 3.0 type)",
                    frame.getByte(frame.readerIndex())));
        }
        return t;
    }

    /** Whether Airlock has a class for this message. */
    public boolean decodable() {
        return decoder != null;
    }

    /**
     * Decodes one whole frame of this type (type byte and length included) without changing its reader index.
     *
     * @throws UnsupportedOperationException for relay-only types
     */
    public BackendMessage decodeBody(ByteBuf frame) {
        if (decoder == null) {
            throw new UnsupportedOperationException(name() + " is relayed, not decoded");
        }
        ByteBuf body = frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
        try {
            BackendMessage m = decoder.apply(body);
            Wire.requireEnd(body, name());
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException(name() + ": truncated body", e);
        }
    }

    /** Decodes a whole frame after dispatching on its type byte. */
    public static BackendMessage decode(ByteBuf frame) {
        return ofFrame(frame).decodeBody(frame);
    }
}
