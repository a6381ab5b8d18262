package dev.airlock.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The approval web page (channel id {@code web}), served on the admin listener at {@code /approvals}.
 * Approvers sign in with OIDC (authorization code + PKCE); register {@code baseUrl + /approvals/callback}
 * as the client's redirect URI at the identity provider.
 *
 * @param baseUrl          the page's public URL (scheme, host, port; no path), used in links and the redirect URI
 * @param identityProvider the identity provider approvers sign in with (default: the first configured)
 * @param clientId         Airlock's OIDC client id at that provider (default {@code airlock})
 * @param clientSecret     the client secret for a confidential client; absent for a public client (PKCE only)
 */
public record WebChannelConfig(URI baseUrl, Optional<String> identityProvider, String clientId, Optional<Secret> clientSecret) {

    public static final String DEFAULT_CLIENT_ID = "airlock";

    public WebChannelConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(identityProvider, "identityProvider");
        Checks.nonBlank(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
    }

    public WebChannelConfig(URI baseUrl, Optional<String> identityProvider) {
        this(baseUrl, identityProvider, DEFAULT_CLIENT_ID, Optional.empty());
    }
}
