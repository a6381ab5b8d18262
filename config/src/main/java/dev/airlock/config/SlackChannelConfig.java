package dev.airlock.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A Slack channel where approval requests are posted (channel id {@code slack:<name>}).
 *
 * @param name          name in channel ids; defaults to {@code channel}
 * @param channel       the Slack channel ({@code #db-approvals} or a channel id)
 * @param mode          how button clicks reach Airlock
 * @param botToken      bot token ({@code xoxb-…}) for posting and updating messages
 * @param appToken      app-level token ({@code xapp-…}), required in socket mode
 * @param signingSecret signing secret, required in http mode
 * @param apiBaseUrl    Web API base URL (default {@code https://slack.com/api}; tests point it at a stand-in)
 */
public record SlackChannelConfig(String name, String channel, Mode mode, Secret botToken, Optional<Secret> appToken,
                                 Optional<Secret> signingSecret, URI apiBaseUrl) {

    /** How interactivity (button clicks) is delivered. */
    public enum Mode {
        /** Socket Mode: Airlock opens a WebSocket to Slack; no inbound port needed. */
        SOCKET,
        /** Signed HTTP requests to Airlock's interactivity endpoint. */
        HTTP
    }

    public static final URI DEFAULT_API_BASE_URL = URI.create("https://slack.com/api");

    public SlackChannelConfig {
        Checks.nonBlank(name, "name");
        Checks.nonBlank(channel, "channel");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(botToken, "botToken");
        Objects.requireNonNull(appToken, "appToken");
        Objects.requireNonNull(signingSecret, "signingSecret");
        Objects.requireNonNull(apiBaseUrl, "apiBaseUrl");
        if (mode == Mode.SOCKET && appToken.isEmpty()) {
            throw new IllegalArgumentException("appToken: missing (expected: an app-level token in socket mode)");
        }
        if (mode == Mode.HTTP && signingSecret.isEmpty()) {
            throw new IllegalArgumentException("signingSecret: missing (expected: a signing secret in http mode)");
        }
    }

    /** {@code slack:<name>}, as policy files refer to it. */
    public String id() {
        return "slack:" + name;
    }
}
