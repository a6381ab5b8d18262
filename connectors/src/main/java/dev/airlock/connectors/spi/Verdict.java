package dev.airlock.connectors.spi;

import java.util.Objects;

/** The gate's final answer for one {@link Command}. */
public sealed interface Verdict permits Verdict.Allow, Verdict.Deny {

    /** The command may run. */
    Verdict ALLOW = new Allow();

    /** Refuse with the given details. */
    static Verdict deny(Failure failure, String reason, String ruleId, String requestId, String hint) {
        return new Deny(failure, reason, ruleId, requestId, hint);
    }

    /** The command may run as sent. */
    record Allow() implements Verdict {
    }

    /**
     * The command must not run; the connector answers with its protocol's own error and the session goes on.
     *
     * @param failure   the kind of refusal, mapped by each connector to its error code
     * @param reason    explanation safe to show to the agent
     * @param ruleId    the deciding rule, or {@code null}
     * @param requestId the approval request or action id to quote, or {@code null}
     * @param hint      what the agent can do, or {@code null}
     */
    record Deny(Failure failure, String reason, String ruleId, String requestId, String hint) implements Verdict {
        public Deny {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
