package dev.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation of {@link IssuerSettings} and {@link VerifierOptions}. */
class TokenSettingsTest {

    private static final IssuerSettings BASE = IssuerSettings.discovered("https://idp.example", "airlock");

    @Test
    void hasSafeDefaults() {
        assertThat(BASE.algorithms()).containsExactlyInAnyOrder("RS256", "PS256", "ES256", "EdDSA");
        assertThat(BASE.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(BASE.groupsClaim()).isEqualTo("groups");
        assertThat(BASE.discoveryUri()).isEqualTo(URI.create("https://idp.example/.well-known/openid-configuration"));
        assertThat(IssuerSettings.discovered("https://idp.example/realms/x/", "a").discoveryUri())
                .isEqualTo(URI.create("https://idp.example/realms/x/.well-known/openid-configuration"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS512", "none", "RSA-OAEP", "rs256"})
    void refusesSymmetricNoneAndUnknownAlgorithms(String alg) {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withAlgorithms(Set.of(alg)))
                .withMessageStartingWith("algorithms: " + alg + " (expected: one of");
    }

    @Test
    void refusesNoAudience() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withAudiences(Set.of()))
                .withMessage("audiences: [] (expected: at least one non-empty audience)");
    }

    @Test
    void wantsExactlyOneOfDiscoveryAndJwksUri() {
        assertThatIllegalArgumentException().isThrownBy(() -> new IssuerSettings("https://idp.example", Set.of("a"), true,
                URI.create("https://idp.example/jwks"), Set.of("RS256"), Duration.ZERO, "groups", Set.of(), 100))
                .withMessageContaining("expected: unset when discovery is on");
        assertThatIllegalArgumentException().isThrownBy(() -> new IssuerSettings("https://idp.example", Set.of("a"), false,
                null, Set.of("RS256"), Duration.ZERO, "groups", Set.of(), 100))
                .withMessageContaining("expected: a JWKS URL when discovery is off");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://idp.example/jwks", "ftp://idp.example/jwks", "file:///etc/jwks.json", "http://10.0.0.1/jwks"})
    void refusesKeysOverPlainHttpExceptToLoopback(String uri) {
        assertThatIllegalArgumentException().isThrownBy(() -> IssuerSettings.withJwks("https://idp.example", URI.create(uri), "a"))
                .withMessageStartingWith("jwksUri: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://idp.example/jwks", "http://127.0.0.1:8080/jwks", "http://localhost/jwks", "http://[::1]:9/jwks"})
    void acceptsHttpsAndLoopbackHttp(String uri) {
        assertThat(IssuerSettings.withJwks("https://idp.example", URI.create(uri), "a").jwksUri()).isEqualTo(URI.create(uri));
    }

    @Test
    void boundsClockSkewGroupsPathAndTokenSize() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withClockSkew(Duration.ofMinutes(6)))
                .withMessage("clockSkew: PT6M (expected: 0s..5m)");
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withClockSkew(Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withGroupsClaim("realm_access..roles"))
                .withMessageStartingWith("groupsClaim: 'realm_access..roles'");
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withMaxTokenBytes(0))
                .withMessage("maxTokenBytes: 0 (expected: 1..1048576)");
    }

    @Test
    void checksVerifierOptions() {
        VerifierOptions d = VerifierOptions.defaults();
        assertThatIllegalArgumentException().isThrownBy(() -> d.withFetchTimeout(Duration.ZERO))
                .withMessage("fetchTimeout: PT0S (expected: > 0)");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTokenCacheSize(-1))
                .withMessage("tokenCacheSize: -1 (expected: >= 0)");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withMaxDocumentBytes(0));
    }

    @Test
    void rejectionCodesAreStableAndDistinct() {
        assertThat(TokenRejection.values()).extracting(TokenRejection::code).doesNotHaveDuplicates()
                .allMatch(c -> c.matches("[a-z_]+"));
        assertThat(TokenRejection.BAD_SIGNATURE.code()).isEqualTo("bad_signature");
        assertThat(new TokenRejectedException(TokenRejection.EXPIRED).getMessage()).isEqualTo("expired: the token has expired");
    }
}
