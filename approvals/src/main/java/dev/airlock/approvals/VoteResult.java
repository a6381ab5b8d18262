package dev.airlock.approvals;

import java.util.Objects;

/**
 * The answer to one vote.
 *
 * @param requestId the request voted on
 * @param accepted  whether the vote was recorded
 * @param state     the request's state after the vote (the final state when the vote came late)
 * @param rejection why it was refused, or {@code null} when accepted
 * @param message   a sentence for the voter: what happened and, for a late vote, who decided
 */
public record VoteResult(String requestId, boolean accepted, ApprovalState state, VoteRejection rejection, String message) {
    public VoteResult {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
        if (accepted != (rejection == null)) {
            throw new IllegalArgumentException("rejection: " + rejection + " (expected: null exactly when accepted)");
        }
    }
}
