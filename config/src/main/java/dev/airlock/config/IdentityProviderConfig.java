package dev.airlock.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OIDC issuer whose access tokens Airlock accepts.
 *
 * @param name        unique name (referenced by the web approval channel)
 * @param issuer      the {@code iss} value; discovery is at {@code issuer/.well-known/openid-configuration}
 * @param audiences   accepted {@code aud} values (at least one)
 * @param jwksUrl     JWKS URL, overriding discovery
 * @param groupsClaim dotted path of the groups claim, e.g. {@code groups} or {@code realm_access.roles}
 * @param algorithms  accepted signature algorithms (at least one)
 * @param clockSkew   tolerance for {@code exp} and {@code nbf}
 */
public record IdentityProviderConfig(String name, URI issuer, List<String> audiences, Optional<URI> jwksUrl,
                                     String groupsClaim, List<SignatureAlgorithm> algorithms, Duration clockSkew) {

    public IdentityProviderConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        audiences = List.copyOf(Checks.nonNullElements(audiences, "audiences"));
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("audiences: [] (expected: at least one)");
        }
        Objects.requireNonNull(jwksUrl, "jwksUrl");
        Checks.nonBlank(groupsClaim, "groupsClaim");
        algorithms = List.copyOf(Checks.nonNullElements(algorithms, "algorithms"));
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms: [] (expected: at least one)");
        }
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
        }
    }
}
