package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;

/** A message from client to server. */
public sealed interface FrontendMessage permits StartupMessage, SSLRequest, GSSENCRequest, CancelRequest,
        PasswordMessage, Query, Parse, Bind, Describe, Execute, Sync, Flush, Close, FunctionCall,
        CopyData, CopyDone, CopyFail, Terminate {

    /** Appends the whole frame (type byte, length, body) to {@code out}. */
    void encode(ByteBuf out);
}
