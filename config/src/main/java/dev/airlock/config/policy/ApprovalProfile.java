package dev.airlock.config.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An entry of {@code approval_profiles}.
 *
 * @param name           the profile name (the key)
 * @param approverGroups groups whose members may approve
 * @param approverUsers  subjects or emails that may approve
 * @param quorum         distinct eligible approvers needed
 * @param timeout        how long a request waits before it expires
 * @param remindAfter    when to remind approvers, or {@code null}
 * @param grantWindow    how long an approval also covers repeats of the same action by the same identity ({@link Duration#ZERO}: none)
 * @param channels       channel ids ({@code slack:#x}, {@code teams:x}, {@code web}, {@code cli})
 * @param location       where the profile is defined
 */
public record ApprovalProfile(String name, List<String> approverGroups, List<String> approverUsers, int quorum,
                              Duration timeout, Duration remindAfter, Duration grantWindow, List<String> channels,
                              SourceLocation location) {

    public ApprovalProfile {
        Objects.requireNonNull(name, "name");
        approverGroups = List.copyOf(approverGroups);
        approverUsers = List.copyOf(approverUsers);
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum: " + quorum + " (expected: >= 1)");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        grantWindow = grantWindow == null ? Duration.ZERO : grantWindow;
        channels = List.copyOf(channels);
        Objects.requireNonNull(location, "location");
    }
}
