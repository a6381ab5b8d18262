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
 * @param teams     the Teams bot and its conversations ({@code teams:<name>}), if configured
 * @param web       the web page ({@code web}), if enabled
 * @param directory the approvers chat channels map their users to (a click carries no token)
 */
public record ApprovalsConfig(Optional<SlackConfig> slack, Optional<TeamsConfig> teams,
                              Optional<WebChannelConfig> web, List<ApproverConfig> directory) {

    /** The channel id of the always-present CLI/REST channel. */
    public static final String CLI = "cli";
    /** The channel id of the web page. */
    public static final String WEB = "web";

    public static final ApprovalsConfig NONE = new ApprovalsConfig(Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    public ApprovalsConfig {
        Objects.requireNonNull(slack, "slack");
        directory = List.copyOf(Checks.nonNullElements(directory, "directory"));
        Objects.requireNonNull(teams, "teams");
        Objects.requireNonNull(web, "web");
    }

    /** Every channel id policy files may name: {@code slack:…}, {@code teams:…}, {@code web} (if enabled), {@code cli}. */
    public Set<String> channelIds() {
        Set<String> ids = new LinkedHashSet<>();
        slack.ifPresent(s -> s.channels().forEach(c -> ids.add(c.id())));
        teams.ifPresent(t -> t.conversations().forEach(c -> ids.add(c.id())));
        web.ifPresent(w -> ids.add(WEB));
        ids.add(CLI);
        return Set.copyOf(ids);
    }
}
