package dev.airlock.approvals;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How one kind of action is approved, mirroring {@code approval_profiles.<name>} in {@code docs/policy.md}.
 *
 * @param name        the profile name
 * @param approvers   who may vote
 * @param quorum      distinct eligible approvers needed
 * @param timeout     how long a request waits before it expires
 * @param remindAfter when to re-notify the channels, or {@code null} for never
 * @param grantWindow how long an approval also covers repeats of the same action by the same identity
 *                    ({@link Duration#ZERO}: single use)
 * @param channels    channel ids ({@code kind:name}, or plain {@code web} / {@code cli})
 */
public record ApprovalProfile(String name, Approvers approvers, int quorum, Duration timeout, Duration remindAfter,
                              Duration grantWindow, List<String> channels) {

    public ApprovalProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(approvers, "approvers");
        Objects.requireNonNull(timeout, "timeout");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: '' (expected: non-empty)");
        }
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum: " + quorum + " (expected: >= 1)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        if (remindAfter != null && (remindAfter.isNegative() || remindAfter.isZero())) {
            throw new IllegalArgumentException("remind_after: " + remindAfter + " (expected: > 0 or absent)");
        }
        grantWindow = grantWindow == null ? Duration.ZERO : grantWindow;
        if (grantWindow.isNegative()) {
            throw new IllegalArgumentException("grant_window: " + grantWindow + " (expected: >= 0)");
        }
        channels = List.copyOf(channels);
        if (approvers.groups().isEmpty() && approvers.users().isEmpty()) {
            throw new IllegalArgumentException("approvers: {} (expected: at least one group or user)");
        }
    }

    /** A profile with defaults: quorum 1, no reminder, single use. */
    public static ApprovalProfile of(String name, Approvers approvers, Duration timeout, List<String> channels) {
        return new ApprovalProfile(name, approvers, 1, timeout, null, Duration.ZERO, channels);
    }

    /**
     * Who may vote.
     *
     * @param groups group names (any one suffices)
     * @param users  subjects or emails
     */
    public record Approvers(Set<String> groups, Set<String> users) {
        public Approvers {
            groups = Set.copyOf(groups);
            users = Set.copyOf(users);
        }
    }
}
