package dev.airlock.gateway.identity;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How to trust one OIDC issuer.
 *
 * @param issuer         the exact {@code iss} value; with discovery, also the base of
 *                       {@code /.well-known/openid-configuration}
 * @param audiences      accepted {@code aud} values; a token must name at least one
 * @param discovery      fetch the JWKS location from the issuer's discovery document
 * @param jwksUri        the JWKS location when discovery is off; {@code null} when it is on
 * @param algorithms     allowed {@code alg} values, a subset of {@link #SUPPORTED_ALGORITHMS}
 * @param clockSkew      tolerance for {@code exp}, {@code nbf} and {@code iat}, at most {@link #MAX_CLOCK_SKEW}
 * @param groupsClaim    where the groups are: a claim name ({@code groups}) or a dotted path into nested objects
 *                       ({@code realm_access.roles}); a top-level claim whose name is the whole path wins
 * @param requiredClaims claims that must be present besides {@code iss}, {@code sub}, {@code exp}, {@code aud}
 * @param maxTokenBytes  longest accepted token, checked before parsing
 */
public record IssuerSettings(String issuer, Set<String> audiences, boolean discovery, URI jwksUri,
                             Set<String> algorithms, Duration clockSkew, String groupsClaim,
                             Set<String> requiredClaims, int maxTokenBytes) {

    /** Asymmetric algorithms the verifier can check. {@code none} and {@code HS*} are never accepted. */
    public static final Set<String> SUPPORTED_ALGORITHMS = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "PS256", "ES256", "EdDSA");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final String DEFAULT_GROUPS_CLAIM = "groups";
    public static final int DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;
    public static final int MAX_TOKEN_BYTES_LIMIT = 1024 * 1024;

    public IssuerSettings {
        Objects.requireNonNull(issuer, "issuer");
        if (issuer.isBlank()) {
            throw new IllegalArgumentException("issuer: '' (expected: non-empty)");
        }
        audiences = Set.copyOf(Objects.requireNonNull(audiences, "audiences"));
        if (audiences.isEmpty() || audiences.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("audiences: " + audiences + " (expected: at least one non-empty audience)");
        }
        if (discovery) {
            if (jwksUri != null) {
                throw new IllegalArgumentException(
                        "jwksUri: " + jwksUri + " (expected: unset when discovery is on)");
            }
            checkFetchable("issuer", URI.create(issuer));
        } else {
            if (jwksUri == null) {
                throw new IllegalArgumentException("jwksUri: null (expected: a JWKS URL when discovery is off)");
            }
            checkFetchable("jwksUri", jwksUri);
        }
        algorithms = Set.copyOf(Objects.requireNonNull(algorithms, "algorithms"));
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms: [] (expected: at least one of " + sorted(SUPPORTED_ALGORITHMS) + ')');
        }
        for (String alg : algorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("algorithms: " + alg + " (expected: one of "
                        + sorted(SUPPORTED_ALGORITHMS) + "; 'none' and HMAC are never allowed)");
            }
        }
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: 0s..5m)");
        }
        Objects.requireNonNull(groupsClaim, "groupsClaim");
        if (groupsClaim.isEmpty() || groupsClaim.startsWith(".") || groupsClaim.endsWith(".") || groupsClaim.contains("..")) {
            throw new IllegalArgumentException("groupsClaim: '" + groupsClaim
                    + "' (expected: a claim name or a dotted path such as realm_access.roles)");
        }
        requiredClaims = Set.copyOf(Objects.requireNonNull(requiredClaims, "requiredClaims"));
        if (requiredClaims.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("requiredClaims: " + requiredClaims + " (expected: non-empty claim names)");
        }
        if (maxTokenBytes <= 0 || maxTokenBytes > MAX_TOKEN_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxTokenBytes: " + maxTokenBytes + " (expected: 1.." + MAX_TOKEN_BYTES_LIMIT + ')');
        }
    }

    /** An issuer found through {@code <issuer>/.well-known/openid-configuration}, with defaults for the rest. */
    public static IssuerSettings discovered(String issuer, String audience) {
        return new IssuerSettings(issuer, Set.of(audience), true, null, DEFAULT_ALGORITHMS, DEFAULT_CLOCK_SKEW,
                DEFAULT_GROUPS_CLAIM, Set.of(), DEFAULT_MAX_TOKEN_BYTES);
    }

    /** An issuer whose keys are at a fixed JWKS URL, with defaults for the rest. */
    public static IssuerSettings withJwks(String issuer, URI jwksUri, String audience) {
        return new IssuerSettings(issuer, Set.of(audience), false, jwksUri, DEFAULT_ALGORITHMS, DEFAULT_CLOCK_SKEW,
                DEFAULT_GROUPS_CLAIM, Set.of(), DEFAULT_MAX_TOKEN_BYTES);
    }

    public IssuerSettings withAudiences(Set<String> audiences) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    public IssuerSettings withAlgorithms(Set<String> algorithms) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    public IssuerSettings withClockSkew(Duration clockSkew) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    public IssuerSettings withGroupsClaim(String groupsClaim) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    public IssuerSettings withRequiredClaims(Set<String> requiredClaims) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    public IssuerSettings withMaxTokenBytes(int maxTokenBytes) {
        return new IssuerSettings(issuer, audiences, discovery, jwksUri, algorithms, clockSkew, groupsClaim, requiredClaims, maxTokenBytes);
    }

    /** The discovery document's location: the issuer with {@code /.well-known/openid-configuration} appended. */
    public URI discoveryUri() {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /**
     * Checks that Airlock may fetch keys from {@code uri}: HTTPS, or plain HTTP to a loopback address (the
     * development issuer). Keys fetched over plain HTTP from elsewhere could be swapped in transit.
     */
    public static void checkFetchable(String name, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new IllegalArgumentException(name + ": " + uri + " (expected: an absolute https URL)");
        }
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http") && isLoopback(uri.getHost())) {
            return;
        }
        throw new IllegalArgumentException(name + ": " + uri + " (expected: https, or http to a loopback address)");
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Only literal addresses: never resolve a name here.
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Set<String> sorted(Set<String> s) {
        return new LinkedHashSet<>(s.stream().sorted().toList());
    }
}
