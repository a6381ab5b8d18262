package dev.airlock.gateway.identity;

import java.util.Objects;

/**
 * A token was refused. The message is {@code "<code>: <safe message>[ (<safe detail>)]"}; it never contains the
 * token or any part of it. Rejections are expected events, so the exception carries no stack trace.
 */
public final class TokenRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final TokenRejection rejection;
    private final String detail;

    public TokenRejectedException(TokenRejection rejection) {
        this(rejection, null, null);
    }

    public TokenRejectedException(TokenRejection rejection, String detail) {
        this(rejection, detail, null);
    }

    /**
     * @param detail a short explanation built only from safe values (claim names, algorithm names, sanitised
     *               key ids), or {@code null}
     * @param cause  the underlying I/O failure for {@link TokenRejection#KEYS_UNAVAILABLE}, or {@code null};
     *               never an exception whose message may quote the token
     */
    public TokenRejectedException(TokenRejection rejection, String detail, Throwable cause) {
        super(format(Objects.requireNonNull(rejection, "rejection"), detail), cause, false, false);
        this.rejection = rejection;
        this.detail = detail;
    }

    private static String format(TokenRejection rejection, String detail) {
        String base = rejection.code() + ": " + rejection.message();
        return detail == null || detail.isEmpty() ? base : base + " (" + detail + ')';
    }

    public TokenRejection rejection() {
        return rejection;
    }

    /** The safe detail, or {@code null}. */
    public String detail() {
        return detail;
    }
}
