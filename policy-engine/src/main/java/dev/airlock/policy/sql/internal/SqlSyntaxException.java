package dev.airlock.policy.sql.internal;

/** The input breaks a lexical rule of PostgreSQL (the server would reject the whole string). */
public final class SqlSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int position;

    public SqlSyntaxException(String message, int position) {
        super(message + " at offset " + position, null, false, false);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
