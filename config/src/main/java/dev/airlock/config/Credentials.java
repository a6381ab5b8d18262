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
 * @param basic       HTTP {@code Authorization: Basic} user and password
 * @param headers     extra HTTP headers, e.g. {@code X-Api-Key}
 */
public record Credentials(Optional<Secret> password, Optional<Secret> privateKey, Optional<Secret> bearerToken,
                          Optional<Basic> basic, Map<String, Secret> headers) {

    /** No credentials (trust authentication, public APIs). */
    public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Map.of());

    public Credentials {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(bearerToken, "bearerToken");
        Objects.requireNonNull(basic, "basic");
        headers = Map.copyOf(Checks.nonNullEntries(headers, "headers"));
        if (bearerToken.isPresent() && basic.isPresent()) {
            throw new IllegalArgumentException("basic: " + basic.get() + " (expected: bearerToken or basic, not both)");
        }
    }

    /** HTTP basic authentication (RFC 7617); the password never shows in {@link #toString()}. */
    public record Basic(String user, Secret password) {
        public Basic {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("user: '" + user + "' (expected: no ':')");
            }
        }
    }
}
