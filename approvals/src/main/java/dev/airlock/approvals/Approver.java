package dev.airlock.approvals;

import java.time.Instant;
import java.util.Objects;

/**
 * A person who cast a vote.
 *
 * @param subject the voter's identity subject
 * @param email   the voter's email, or {@code null}
 * @param channel where the vote came from ({@code slack}, {@code rest}, ...)
 * @param at      when the vote was recorded
 */
public record Approver(String subject, String email, String channel, Instant at) {
    public Approver {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(at, "at");
    }

    /** The email when known, else the subject. */
    public String display() {
        return email != null ? email : subject;
    }
}
