package dev.airlock.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code airlock.yaml}. Load it with {@link AirlockConfigLoader}.
 *
 * @param file              the file it was read from (absolute)
 * @param listeners         ports agents connect to
 * @param connections       upstreams agents may reach
 * @param identityProviders OIDC issuers whose tokens are accepted
 * @param approvals         where approval requests go
 * @param lineage           the lineage store
 * @param policy            the policy files
 * @param admin             the admin listener
 * @param logging           logging settings
 */
public record AirlockConfig(Path file, List<ListenerConfig> listeners, List<ConnectionConfig> connections,
                            List<IdentityProviderConfig> identityProviders, ApprovalsConfig approvals,
                            LineageConfig lineage, PolicyConfig policy, AdminConfig admin, LoggingConfig logging) {

    public AirlockConfig {
        Objects.requireNonNull(file, "file");
        listeners = List.copyOf(Checks.nonNullElements(listeners, "listeners"));
        connections = List.copyOf(Checks.nonNullElements(connections, "connections"));
        identityProviders = List.copyOf(Checks.nonNullElements(identityProviders, "identityProviders"));
        Objects.requireNonNull(approvals, "approvals");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(logging, "logging");
    }

    public Optional<ConnectionConfig> connection(String name) {
        return connections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** The connections reached through listener {@code name}. */
    public List<ConnectionConfig> connectionsOf(String listenerName) {
        return connections.stream().filter(c -> c.listener().equals(listenerName)).toList();
    }

    /** Channel ids policy files may name; see {@link ApprovalsConfig#channelIds()}. */
    public Set<String> channelIds() {
        return approvals.channelIds();
    }

    /** One line for humans, e.g. {@code 2 listeners, 3 connections, 1 identity provider, ...}. */
    public String summary() {
        return count(listeners.size(), "listener") + ", " + count(connections.size(), "connection") + ", "
                + count(identityProviders.size(), "identity provider") + ", "
                + count(channelIds().size(), "approval channel") + " (" + String.join(", ", channelIds().stream().sorted().toList()) + "), "
                + "lineage " + (lineage instanceof LineageConfig.Embedded ? "embedded" : "jdbc") + ", "
                + count(policy.files().size(), "policy file");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
