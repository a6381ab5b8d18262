package dev.airlock.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Microsoft Teams bot that posts approval cards and receives the clicks ({@code approvals.channels.teams}): one
 * Azure Bot (single tenant) posting to one or more Teams conversations (channel ids {@code teams:<name>}).
 *
 * @param appId             the bot's Microsoft app id (a GUID); every delivery's token must be addressed to it
 * @param appPassword       the app's client secret, for the Bot Connector token (client credentials)
 * @param tenant            the Entra tenant id (a GUID): where the token is obtained, and the only tenant whose
 *                          users may vote
 * @param serviceUrl        the Bot Connector service URL cards are posted to (e.g.
 *                          {@code https://smba.trafficmanager.net/emea/})
 * @param users             Entra object id (a clicker's {@code aadObjectId}) → the {@code subject} of an
 *                          {@code approvals.directory} entry
 * @param emailLookup       whether a clicker not in {@code users} is mapped by the email Teams reports for the
 *                          member, to the directory entry with that email
 * @param conversations     where cards are posted
 * @param loginBaseUrl      token endpoint base (default {@code https://login.microsoftonline.com}; tests use a stand-in)
 * @param openIdMetadataUrl where the keys that sign the Bot Framework's deliveries are published (default
 *                          {@link #DEFAULT_OPENID_METADATA_URL}; tests use a stand-in)
 */
public record TeamsConfig(String appId, Secret appPassword, String tenant, URI serviceUrl, Map<String, String> users,
                          boolean emailLookup, List<Conversation> conversations, URI loginBaseUrl, URI openIdMetadataUrl) {

    public static final URI DEFAULT_LOGIN_BASE_URL = URI.create("https://login.microsoftonline.com");
    public static final URI DEFAULT_OPENID_METADATA_URL =
            URI.create("https://login.botframework.com/v1/.well-known/openidconfiguration");
    /** Where the bot's messaging endpoint is mounted on the admin listener. */
    public static final String MESSAGING_PATH = "/teams/messages";

    /**
     * One Teams conversation cards are posted to.
     *
     * @param name         the name in channel ids ({@code teams:<name>})
     * @param conversation the Teams conversation id, e.g. {@code 19:…@thread.tacv2} for a channel
     */
    public record Conversation(String name, String conversation) {
        public Conversation {
            Checks.nonBlank(name, "name");
            Checks.nonBlank(conversation, "conversation");
        }

        /** {@code teams:<name>}, as policy files refer to it. */
        public String id() {
            return "teams:" + name;
        }
    }

    public TeamsConfig {
        Checks.nonBlank(appId, "appId");
        Objects.requireNonNull(appPassword, "appPassword");
        Checks.nonBlank(tenant, "tenant");
        Objects.requireNonNull(serviceUrl, "serviceUrl");
        users = Map.copyOf(Checks.nonNullEntries(users, "users"));
        conversations = List.copyOf(Checks.nonNullElements(conversations, "conversations"));
        Objects.requireNonNull(loginBaseUrl, "loginBaseUrl");
        Objects.requireNonNull(openIdMetadataUrl, "openIdMetadataUrl");
        if (conversations.isEmpty()) {
            throw new IllegalArgumentException("conversations: [] (expected: at least one conversation)");
        }
    }

    /** The conversation whose id is {@code teams:<name>}. */
    public Optional<Conversation> conversation(String name) {
        return conversations.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
