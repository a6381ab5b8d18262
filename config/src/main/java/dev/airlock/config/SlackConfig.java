package dev.airlock.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Slack app that posts approval cards and receives the clicks ({@code approvals.channels.slack}): one app in one
 * workspace, posting to one or more Slack channels (channel ids {@code slack:<name>}).
 *
 * @param appId         the app's id ({@code A…}); every click must carry it as {@code api_app_id}
 * @param teamId        the workspace id ({@code T…}, or {@code E…} for an Enterprise Grid org); clicks and clickers
 *                      from any other workspace are refused
 * @param mode          how button clicks reach Airlock
 * @param botToken      bot token ({@code xoxb-…}) for posting and updating messages, modals and {@code users.info}
 * @param appToken      app-level token ({@code xapp-…}) with {@code connections:write}, present exactly in socket mode
 * @param signingSecret the app's signing secret, present exactly in http mode
 * @param apiBaseUrl    Web API base URL (default {@code https://slack.com/api}; tests point it at a stand-in)
 * @param users         Slack user id → the {@code subject} of an {@code approvals.directory} entry
 * @param emailLookup   whether a clicker not in {@code users} is mapped by the email {@code users.info} reports, to the
 *                      directory entry with that email
 * @param channels      where cards are posted
 */
public record SlackConfig(String appId, String teamId, Mode mode, Secret botToken, Optional<Secret> appToken,
                          Optional<Secret> signingSecret, URI apiBaseUrl, Map<String, String> users, boolean emailLookup,
                          List<Channel> channels) {

    /** How interactivity (button clicks) is delivered. */
    public enum Mode {
        /** Socket Mode: Airlock opens a WebSocket to Slack; no inbound port needed. */
        SOCKET,
        /** Signed HTTP requests to Airlock's interactivity endpoint on the admin listener. */
        HTTP
    }

    public static final URI DEFAULT_API_BASE_URL = URI.create("https://slack.com/api");
    /** Where the interactivity endpoint is mounted on the admin listener in http mode (Slack's "Request URL"). */
    public static final String INTERACTIVITY_PATH = "/slack/interactivity";

    /**
     * One Slack channel cards are posted to.
     *
     * @param name    the name in channel ids ({@code slack:<name>}); defaults to {@code channel}
     * @param channel the Slack channel: {@code #name} or a channel id ({@code C…})
     */
    public record Channel(String name, String channel) {
        public Channel {
            Checks.nonBlank(name, "name");
            Checks.nonBlank(channel, "channel");
        }

        /** {@code slack:<name>}, as policy files refer to it. */
        public String id() {
            return "slack:" + name;
        }
    }

    public SlackConfig {
        Checks.nonBlank(appId, "appId");
        Checks.nonBlank(teamId, "teamId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(botToken, "botToken");
        Objects.requireNonNull(appToken, "appToken");
        Objects.requireNonNull(signingSecret, "signingSecret");
        Objects.requireNonNull(apiBaseUrl, "apiBaseUrl");
        users = Map.copyOf(Checks.nonNullEntries(users, "users"));
        channels = List.copyOf(Checks.nonNullElements(channels, "channels"));
        if (mode == Mode.SOCKET && appToken.isEmpty()) {
            throw new IllegalArgumentException("appToken: missing (expected: an app-level token in socket mode)");
        }
        if (mode == Mode.HTTP && signingSecret.isEmpty()) {
            throw new IllegalArgumentException("signingSecret: missing (expected: a signing secret in http mode)");
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("channels: [] (expected: at least one channel)");
        }
    }

    /** The channel whose id is {@code slack:<name>}. */
    public Optional<Channel> channel(String name) {
        return channels.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
