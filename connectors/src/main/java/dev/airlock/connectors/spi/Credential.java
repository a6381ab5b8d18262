package dev.airlock.connectors.spi;

import java.util.Objects;

/**
 * What the agent presented as its secret: an OIDC access token sent as password or bearer token.
 * {@link #toString()} never shows it.
 */
public record Credential(String token) {
    public Credential {
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
        return "Credential[token=<" + token.length() + " chars>]";
    }
}
