package dev.airlock.approvals.teams;

import dev.airlock.approvals.ApproverDirectory;
import dev.airlock.policy.Identity;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How Airlock talks to one Azure Bot in Teams.
 *
 * @param appId             the bot's Microsoft app id; deliveries must be addressed to it (token audience)
 * @param appPassword       the app's client secret (client credentials grant for the Bot Connector token)
 * @param tenant            the Entra tenant: where the token is obtained, and the only tenant whose users vote
 * @param serviceUrl        Bot Connector base URL cards are posted to, e.g. {@code https://smba.trafficmanager.net/emea/}
 * @param loginBaseUrl      token endpoint base, e.g. {@code https://login.microsoftonline.com}
 * @param openIdMetadataUrl the Bot Framework's OpenID metadata, naming the keys that sign its deliveries
 * @param users             Entra object id (lower case) → Airlock identity
 * @param emailLookup       whether an unmapped clicker may be mapped by the email Teams reports for the member
 * @param directory         email → identity, used only when {@code emailLookup}
 * @param maxAttempts       attempts per Bot Connector call when it answers 429 or 5xx
 * @param maxRetryAfter     the longest {@code Retry-After} honoured before giving up
 * @param conversations     the name in a profile's {@code teams:<name>} → the Teams conversation id
 */
public record TeamsSettings(String appId, String appPassword, String tenant, URI serviceUrl, URI loginBaseUrl,
                            URI openIdMetadataUrl, Map<String, Identity> users, boolean emailLookup,
                            ApproverDirectory directory, int maxAttempts, Duration maxRetryAfter,
                            Map<String, String> conversations) {

    public TeamsSettings {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appPassword, "appPassword");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(serviceUrl, "serviceUrl");
        Objects.requireNonNull(loginBaseUrl, "loginBaseUrl");
        Objects.requireNonNull(openIdMetadataUrl, "openIdMetadataUrl");
        Map<String, Identity> lower = new HashMap<>();
        users.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        users = Map.copyOf(lower);
        conversations = Map.copyOf(conversations);
        directory = directory == null ? ApproverDirectory.none() : directory;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
        }
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (appPassword.isEmpty()) {
            throw new IllegalArgumentException("appPassword: '' (expected: the app's client secret)");
        }
    }

    @Override
    public String toString() {
        return "TeamsSettings[appId=" + appId + ", tenant=" + tenant + ", serviceUrl=" + serviceUrl + ", users="
                + users.size() + ", emailLookup=" + emailLookup + ", conversations=" + conversations + "]";
    }
}
