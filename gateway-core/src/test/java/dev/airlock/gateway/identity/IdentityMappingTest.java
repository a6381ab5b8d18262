package dev.airlock.gateway.identity;

import static dev.airlock.gateway.identity.Verification.accepted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.Identity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** From verified claims to {@link Identity}: algorithms, groups claim paths, delegation chains, plain claim values. */
class IdentityMappingTest {

    private static DevIssuer dev;

    @BeforeAll
    static void startIssuer() {
        dev = DevIssuer.start();
    }

    @AfterAll
    static void stopIssuer() {
        dev.close();
    }

    private static Identity verify(IssuerSettings settings, String token) {
        try (TokenVerifier v = TokenVerifier.create(List.of(settings), VerifierOptions.defaults())) {
            return accepted(v, token);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA"})
    void verifiesEachSupportedAlgorithm(String alg) {
        IssuerSettings settings = dev.settings().withAlgorithms(IssuerSettings.SUPPORTED_ALGORITHMS);
        Identity id = verify(settings, dev.token("alice").algorithm(alg).mint());
        assertThat(id.subject()).isEqualTo("alice");
        assertThat(id.issuer()).isEqualTo(dev.issuer());
    }

    @Test
    void mapsSubjectEmailGroupsAndIssuer() {
        Identity id = verify(dev.settings(), dev.token("alice").email("alice@example.com").groups("dba", "agents").mint());
        assertThat(id.subject()).isEqualTo("alice");
        assertThat(id.email()).isEqualTo("alice@example.com");
        assertThat(id.groups()).containsExactlyInAnyOrder("dba", "agents");
        assertThat(id.issuer()).isEqualTo(dev.issuer());
        assertThat(id.isDelegated()).isFalse();
    }

    @Test
    void readsGroupsFromANestedClaimPath() {
        String token = dev.token("alice").claim("realm_access", Map.of("roles", List.of("offline_access", "dba"))).mint();
        Identity id = verify(dev.settings().withGroupsClaim("realm_access.roles"), token);
        assertThat(id.groups()).containsExactlyInAnyOrder("offline_access", "dba");
    }

    @Test
    void prefersATopLevelClaimNamedLikeThePath() {
        String token = dev.token("alice").claim("https://airlock.dev/groups", List.of("dba")).mint();
        Identity id = verify(dev.settings().withGroupsClaim("https://airlock.dev/groups"), token);
        assertThat(id.groups()).containsExactly("dba");
    }

    @Test
    void readsASingleStringGroup() {
        Identity id = verify(dev.settings().withGroupsClaim("team"), dev.token("alice").claim("team", "payments").mint());
        assertThat(id.groups()).containsExactly("payments");
    }

    @Test
    void hasNoGroupsWhenThePathIsAbsent() {
        Identity id = verify(dev.settings().withGroupsClaim("realm_access.roles"), dev.token("alice").groups("dba").mint());
        assertThat(id.groups()).isEmpty();
    }

    @Test
    void mapsANestedActChainCurrentActorFirst() {
        String token = dev.token("alice").actor("agent-7").actor("orchestrator").mint();
        Identity id = verify(dev.settings(), token);
        assertThat(id.isDelegated()).isTrue();
        assertThat(id.actors()).extracting(Identity.Actor::subject).containsExactly("agent-7", "orchestrator");
        assertThat(id.actingSubject()).isEqualTo("agent-7");
        assertThat(id.chainSubjects()).containsExactly("alice", "agent-7", "orchestrator");
        assertThat(id.actors().get(0).claims()).containsEntry("sub", "agent-7").doesNotContainKey("act");
    }

    @Test
    void keepsTheActorsIssuerAndClaims() {
        Map<String, Object> act = Map.of("sub", "agent-7", "iss", "https://agents.example", "client_id", "ci-bot");
        Identity id = verify(dev.settings(), dev.token("alice").claim("act", act).mint());
        Identity.Actor actor = id.actors().get(0);
        assertThat(actor.issuer()).isEqualTo("https://agents.example");
        assertThat(actor.claims()).containsEntry("client_id", "ci-bot");
    }

    @Test
    void exposesAllClaimsAsPlainJavaValues() {
        String token = dev.token("alice")
                .claim("tenant", Map.of("id", 7, "tags", List.of("a", "b"), "active", true))
                .claim("scope", "db:read db:write")
                .mint();
        Identity id = verify(dev.settings(), token);
        assertThat(id.claims()).containsEntry("scope", "db:read db:write").containsEntry("sub", "alice")
                .containsKeys("exp", "iat", "aud", "iss", "jti", "tenant");
        assertThat(id.claims().get("exp")).isInstanceOf(Long.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> tenant = (Map<String, Object>) id.claims().get("tenant");
        assertThat(((Number) tenant.get("id")).longValue()).isEqualTo(7L);
        assertThat(tenant.get("tags")).isEqualTo(List.of("a", "b"));
        assertThat(tenant.get("active")).isEqualTo(true);
        assertOnlyPlainValues(id.claims());
    }

    @Test
    void dropsJsonNullsInsteadOfFailing() {
        Map<String, Object> withNull = new java.util.HashMap<>();
        withNull.put("team", null);
        withNull.put("site", "eu");
        Identity id = verify(dev.settings(), dev.token("alice").claim("profile", withNull).mint());
        assertThat(id.claims().get("profile")).isEqualTo(Map.of("site", "eu"));
    }

    private static void assertOnlyPlainValues(Object value) {
        if (value instanceof Map<?, ?> m) {
            m.values().forEach(IdentityMappingTest::assertOnlyPlainValues);
        } else if (value instanceof List<?> l) {
            l.forEach(IdentityMappingTest::assertOnlyPlainValues);
        } else {
            assertThat(value).isInstanceOfAny(String.class, Number.class, Boolean.class);
        }
    }
}
