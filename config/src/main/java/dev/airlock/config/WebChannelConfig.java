package dev.airlock.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The approval web page (channel id {@code web}), served on the admin listener.
 *
 * @param baseUrl          the page's public URL, used in links sent to chat channels
 * @param identityProvider the identity provider approvers sign in with (default: the first configured)
 */
public record WebChannelConfig(URI baseUrl, Optional<String> identityProvider) {

    public WebChannelConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(identityProvider, "identityProvider");
    }
}
