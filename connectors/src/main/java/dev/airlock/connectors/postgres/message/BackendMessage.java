package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** A message from server to client. Messages Airlock only relays are not decoded and have no class here. */
public sealed interface BackendMessage permits Authentication, ParameterStatus, BackendKeyData, ReadyForQuery,
        ErrorResponse, NoticeResponse, CommandComplete, NotificationResponse, NegotiateProtocolVersion,
        ParseComplete, BindComplete {

    /** Appends the whole frame (type byte, length, body) to {@code out}. */
    void encode(ByteBuf out);
}
