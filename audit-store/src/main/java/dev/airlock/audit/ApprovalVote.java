package dev.airlock.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One approver's vote on a request.
 *
 * @param voterEmail the voter's email when known, else {@code null}
 */
public record ApprovalVote(UUID voteId, UUID requestId, String voter, Choice choice, String channel, String reason,
                           Instant at, String voterEmail) {
    public enum Choice { APPROVE, DENY }

    public ApprovalVote {
        Objects.requireNonNull(voteId, "voteId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(voter, "voter");
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(channel, "channel");
    }

    /** A vote without a known email. */
    public ApprovalVote(UUID voteId, UUID requestId, String voter, Choice choice, String channel, String reason, Instant at) {
        this(voteId, requestId, voter, choice, channel, reason, at, null);
    }
}
