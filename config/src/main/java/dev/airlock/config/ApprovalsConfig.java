package dev.airlock.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where approval requests go. The CLI/REST channel ({@code cli}) is always available.
 *
 * @param slack Slack channels ({@code slack:<name>})
 * @param teams Teams conversations ({@code teams:<name>})
 * @param web   the web page ({@code web}), if enabled
 */
public record ApprovalsConfig(List<SlackChannelConfig> slack, List<TeamsChannelConfig> teams,
                              Optional<WebChannelConfig> web) {

    /** The channel id of the always-present CLI/REST channel. */
    public static final String CLI = "cli";
    /** The channel id of the web page. */
    public static final String WEB = "web";

    public static final ApprovalsConfig NONE = new ApprovalsConfig(List.of(), List.of(), Optional.empty());

    public ApprovalsConfig {
        slack = List.copyOf(Checks.nonNullElements(slack, "slack"));
        teams = List.copyOf(Checks.nonNullElements(teams, "teams"));
        Objects.requireNonNull(web, "web");
    }

    /** Every channel id policy files may name: {@code slack:…}, {@code teams:…}, {@code web} (if enabled), {@code cli}. */
    public Set<String> channelIds() {
        Set<String> ids = new LinkedHashSet<>();
        slack.forEach(s -> ids.add(s.id()));
        teams.forEach(t -> ids.add(t.id()));
        web.ifPresent(w -> ids.add(WEB));
        ids.add(CLI);
        return Set.copyOf(ids);
    }
}
