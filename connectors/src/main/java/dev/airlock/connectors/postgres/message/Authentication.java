package dev.airlock.connectors.postgres.message;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/** The authentication request family ('R'), told apart by the int32 that starts the body. */
public sealed interface Authentication extends BackendMessage permits AuthenticationOk, AuthenticationCleartextPassword,
        AuthenticationMD5Password, AuthenticationSASL, AuthenticationSASLContinue, AuthenticationSASLFinal {

    static Authentication decode(ByteBuf body) {
        int code = body.readInt();
        return switch (code) {
            case AuthenticationOk.CODE -> AuthenticationOk.INSTANCE;
            case AuthenticationCleartextPassword.CODE -> AuthenticationCleartextPassword.INSTANCE;
            case AuthenticationMD5Password.CODE -> new AuthenticationMD5Password(Wire.readBytes(body, 4));
            case AuthenticationSASL.CODE -> AuthenticationSASL.decodeMechanisms(body);
            case AuthenticationSASLContinue.CODE -> new AuthenticationSASLContinue(Wire.readBytes(body, body.readableBytes()));
            case AuthenticationSASLFinal.CODE -> new AuthenticationSASLFinal(Wire.readBytes(body, body.readableBytes()));
            default -> throw new CorruptedFrameException("authentication method: " + code
                    + " (expected: 0 ok, 3 cleartext, 5 md5 or 10-12 SASL)");
        };
    }
}
