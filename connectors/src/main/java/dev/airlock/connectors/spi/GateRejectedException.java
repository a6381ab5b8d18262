package dev.airlock.connectors.spi;

import java.util.Objects;

/** Fails a {@link Gate#authenticate} stage with a reason the connector can show to the agent. */
public final class GateRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Failure failure;
    private final String hint;

    public GateRejectedException(Failure failure, String message, String hint) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
        this.hint = hint;
    }

    public Failure failure() {
        return failure;
    }

    /** What the agent can do about it, or {@code null}. */
    public String hint() {
        return hint;
    }
}
