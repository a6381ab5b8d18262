package dev.airlock.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where approval requests go, and who chat clickers are. The CLI/REST channel ({@code cli}) is always available.
 *
 * @param slack     the Slack app and its channels ({@code slack:<name>}), if configured
 * @param teams     Teams conversations ({@code teams:<name>})
 * @param web       the web page ({@code web}), if enabled
 * @param directory the approvers chat channels map their users to (a click carries no token)
 */
public record ApprovalsConfig(Optional<SlackConfig> slack, List<TeamsChannelConfig> teams,
                              Optional<WebChannelConfig> web, List<ApproverConfig> directory) {

    /** The channel id of the always-present CLI/REST channel. */
    public static final String CLI = "cli";
    /** The channel id of the web page. */
    public static final String WEB = "web";

    public static final ApprovalsConfig NONE = new ApprovalsConfig(Optional.empty(), List.of(), Optional.empty(), List.of());

    public ApprovalsConfig {
        Objects.requireNonNull(slack, "slack");
        directory = List.copyOf(Checks.nonNullElements(directory, "directory"));
        teams = List.copyOf(Checks.nonNullElements(teams, "teams"));
        Objects.requireNonNull(web, "web");
    }

    /** Every channel id policy files may name: {@code slack:…}, {@code teams:…}, {@code web} (if enabled), {@code cli}. */
    public Set<String> channelIds() {
        Set<String> ids = new LinkedHashSet<>();
        slack.ifPresent(s -> s.channels().forEach(c -> ids.add(c.id())));
        teams.forEach(t -> ids.add(t.id()));
        web.ifPresent(w -> ids.add(WEB));
        ids.add(CLI);
        return Set.copyOf(ids);
    }
}
