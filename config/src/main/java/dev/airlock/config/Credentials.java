package dev.airlock.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Airlock presents to an upstream on the agent's behalf. Agents never see these.
 *
 * @param password    database or SSH password
 * @param privateKey  SSH private key (PEM / OpenSSH format)
 * @param bearerToken HTTP {@code Authorization: Bearer} token
 * @param headers     extra HTTP headers, e.g. {@code X-Api-Key}
 */
public record Credentials(Optional<Secret> password, Optional<Secret> privateKey, Optional<Secret> bearerToken,
                          Map<String, Secret> headers) {

    /** No credentials (trust authentication, public APIs). */
    public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());

    public Credentials {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(bearerToken, "bearerToken");
        headers = Map.copyOf(Checks.nonNullEntries(headers, "headers"));
    }
}
