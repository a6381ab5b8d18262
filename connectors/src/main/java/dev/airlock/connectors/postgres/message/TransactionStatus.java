package dev.airlock.connectors.postgres.message;

import io.netty.handler.codec.CorruptedFrameException;

/** The transaction state reported by {@link ReadyForQuery}. */
public enum TransactionStatus {
    /** Not in a transaction block. */
    IDLE('I'),
    /** In a transaction block. */
    IN_TRANSACTION('T'),
    /** In a failed transaction block: statements are rejected until it ends. */
    FAILED('E');

    private final char code;

    TransactionStatus(char code) {
        this.code = code;
    }

    public char code() {
        return code;
    }

    public static TransactionStatus of(byte b) {
        return switch (b) {
            case 'I' -> IDLE;
            case 'T' -> IN_TRANSACTION;
            case 'E' -> FAILED;
            default -> throw new CorruptedFrameException(String.format("transaction status: 0x%02x (expected: 'I', 'T' or 'E')", b));
        };
    }
}
