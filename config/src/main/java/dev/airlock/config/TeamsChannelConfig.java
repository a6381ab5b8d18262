package dev.airlock.config;

import java.net.URI;
import java.util.Objects;

/**
 * A Microsoft Teams conversation where the Airlock bot posts approval cards (channel id {@code teams:<name>}).
 *
 * @param name         name in channel ids
 * @param appId        the bot's Microsoft app id
 * @param appPassword  the bot's client secret
 * @param tenant       Entra tenant id
 * @param conversation the Teams conversation (channel) id to post to
 * @param serviceUrl   Bot Framework service URL for the tenant's region
 * @param loginBaseUrl token endpoint base (default {@code https://login.microsoftonline.com}; tests use a stand-in)
 */
public record TeamsChannelConfig(String name, Secret appId, Secret appPassword, String tenant, String conversation,
                                 URI serviceUrl, URI loginBaseUrl) {

    public static final URI DEFAULT_LOGIN_BASE_URL = URI.create("https://login.microsoftonline.com");

    public TeamsChannelConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appPassword, "appPassword");
        Checks.nonBlank(tenant, "tenant");
        Checks.nonBlank(conversation, "conversation");
        Objects.requireNonNull(serviceUrl, "serviceUrl");
        Objects.requireNonNull(loginBaseUrl, "loginBaseUrl");
    }

    /** {@code teams:<name>}, as policy files refer to it. */
    public String id() {
        return "teams:" + name;
    }
}
