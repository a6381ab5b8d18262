package dev.airlock.approvals;

import java.time.Instant;
import java.util.Objects;

/**
 * One accepted vote, or (when {@code rejection} is set) one refused attempt kept for lineage.
 *
 * @param requestId    the request
 * @param voterSubject the voter's identity subject, or the raw chat user id when unmapped
 * @param voterEmail   the voter's email, or {@code null}
 * @param channel      {@code slack}, {@code rest}, ...
 * @param vote         approve or deny
 * @param reason       the deny reason, or {@code null}
 * @param rejection    why the attempt was refused, or {@code null} for an accepted vote
 * @param at           when
 */
public record VoteRecord(String requestId, String voterSubject, String voterEmail, String channel, Vote vote,
                         String reason, VoteRejection rejection, Instant at) {
    public VoteRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(voterSubject, "voterSubject");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(at, "at");
    }

    public Approver approver() {
        return new Approver(voterSubject, voterEmail, channel, at);
    }
}
