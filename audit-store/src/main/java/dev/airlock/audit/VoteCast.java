package dev.airlock.audit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ApprovalStore#castVote} did, read under the request's row lock.
 *
 * @param status    what happened to the vote
 * @param state     the request's state after the call
 * @param decidedBy the deciding voter (when the state is approved or denied), or {@code null}
 * @param reason    the decided or cancel reason, or {@code null}
 * @param decidedAt when the request left {@code pending}, or {@code null}
 * @param votes     every recorded vote on the request, oldest first, including this one when recorded
 */
public record VoteCast(Status status, ApprovalState state, String decidedBy, String reason, Instant decidedAt,
                       List<ApprovalVote> votes) {

    /** The fate of one vote. */
    public enum Status {
        /** Recorded; the request is still pending (quorum not reached). */
        RECORDED,
        /** Recorded, and it decided the request (a deny, or the approval that reached the quorum). */
        DECIDED,
        /** Not recorded: this voter already voted on the request. */
        ALREADY_VOTED,
        /** Not recorded: the request was no longer pending. */
        NOT_PENDING,
        /** Not recorded: the request is pending but past its deadline (the caller expires it). */
        PAST_DEADLINE
    }

    public VoteCast {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(state, "state");
        votes = List.copyOf(votes);
    }
}
