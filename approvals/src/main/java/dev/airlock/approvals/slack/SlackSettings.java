package dev.airlock.approvals.slack;

import dev.airlock.approvals.ApproverDirectory;
import dev.airlock.policy.Identity;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How Airlock talks to one Slack app.
 *
 * @param botToken         {@code xoxb-} token: posting and updating cards, modals, {@code users.info}
 * @param appToken         {@code xapp-} token for Socket Mode, or {@code null} when clicks come over HTTP
 * @param signingSecret    the app's signing secret for the HTTP interactivity endpoint, or {@code null}
 * @param appId            the app id ({@code api_app_id}) every click must carry
 * @param teamId           the workspace id every click and clicker must belong to
 * @param methodsUrlPrefix Web API base, e.g. {@code https://slack.com/api/}; {@code null} for the default
 * @param users            Slack user id → Airlock identity
 * @param emailLookup      whether an unmapped clicker may be mapped by its {@code users.info} email via {@code directory}
 * @param directory        email → identity, used only when {@code emailLookup}
 * @param maxAttempts      attempts per Web API call when Slack answers 429
 * @param maxRetryAfter    the longest {@code Retry-After} honoured before giving up
 * @param channels         the name in a profile's {@code slack:<name>} → the Slack channel cards go to
 *                         ({@code #name} or a channel id)
 */
public record SlackSettings(String botToken, String appToken, String signingSecret, String appId, String teamId,
                            String methodsUrlPrefix, Map<String, Identity> users, boolean emailLookup,
                            ApproverDirectory directory, int maxAttempts, Duration maxRetryAfter,
                            Map<String, String> channels) {

    public SlackSettings {
        Objects.requireNonNull(botToken, "botToken");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(teamId, "teamId");
        users = Map.copyOf(users);
        channels = Map.copyOf(channels);
        directory = directory == null ? ApproverDirectory.none() : directory;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
        }
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (signingSecret != null && signingSecret.isEmpty()) {
            throw new IllegalArgumentException("signingSecret: '' (expected: non-empty or absent)");
        }
        if (appToken != null && !appToken.startsWith("xapp-")) {
            throw new IllegalArgumentException("appToken: (expected: an app-level xapp- token)");
        }
    }

    @Override
    public String toString() {
        return "SlackSettings[appId=" + appId + ", teamId=" + teamId + ", methodsUrlPrefix=" + methodsUrlPrefix
                + ", users=" + users.size() + ", emailLookup=" + emailLookup + ", channels=" + channels + "]";
    }
}
