package dev.airlock.gateway.identity;

import static dev.airlock.gateway.identity.Verification.accepted;
import static dev.airlock.gateway.identity.Verification.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reason to refuse a token, with tokens minted by Nimbus and keys served over real HTTP by a DevIssuer. */
class TokenRejectionTest {

    private static DevIssuer dev;
    private TokenVerifier verifier;

    @BeforeAll
    static void startIssuer() {
        dev = DevIssuer.start();
    }

    @AfterAll
    static void stopIssuer() {
        dev.close();
    }

    @BeforeEach
    void createVerifier() {
        verifier = verifierFor(dev.settings());
    }

    @AfterEach
    void closeVerifier() {
        verifier.close();
    }

    private static TokenVerifier verifierFor(IssuerSettings settings) {
        return TokenVerifier.create(List.of(settings), VerifierOptions.defaults());
    }

    private void assertRejected(String token, TokenRejection expected) {
        TokenRejectedException e = rejected(verifier, token);
        assertThat(e.rejection()).as(e.getMessage()).isEqualTo(expected);
        assertThat(e.getMessage()).startsWith(expected.code() + ": " + expected.message());
    }

    @Test
    void acceptsAWellFormedToken() {
        assertThat(accepted(verifier, dev.token("alice").mint()).subject()).isEqualTo("alice");
    }

    @Test
    void rejectsATamperedPayload() {
        String[] parts = dev.token("alice").mint().split("\\.");
        String payload = new Base64URL(parts[1]).decodeToString();
        assertThat(payload).contains("\"alice\"");
        String forged = Base64URL.encode(payload.replace("\"alice\"", "\"admin\"")).toString();
        assertRejected(parts[0] + '.' + forged + '.' + parts[2], TokenRejection.BAD_SIGNATURE);
    }

    @Test
    void rejectsASignatureByAnotherKeyUnderAKnownKid() throws JOSEException {
        String kid = dev.signingKey(JWSAlgorithm.RS256).getKeyID();
        RSAKey impostor = new RSAKeyGenerator(2048).keyID(kid).generate();
        assertRejected(dev.token("alice").signWith(impostor).mint(), TokenRejection.BAD_SIGNATURE);
    }

    @Test
    void rejectsAnUnknownKid() throws JOSEException {
        ECKey rogue = new ECKeyGenerator(Curve.P_256).keyID("rogue").generate();
        TokenRejectedException e = rejected(verifier, dev.token("alice").algorithm("ES256").signWith(rogue).mint());
        assertThat(e.rejection()).isEqualTo(TokenRejection.UNKNOWN_KEY);
        assertThat(e.detail()).contains("'rogue'");
    }

    @Test
    void rejectsAnExpiredToken() {
        assertRejected(dev.token("alice").issuedAt(Instant.now().minus(Duration.ofHours(1))).mint(), TokenRejection.EXPIRED);
    }

    @Test
    void toleratesExpiryWithinTheClockSkew() {
        String token = dev.token("alice").issuedAt(Instant.now().minusSeconds(630)).lifetime(Duration.ofMinutes(10)).mint();
        assertThat(accepted(verifier, token).subject()).isEqualTo("alice");
    }

    @Test
    void rejectsATokenBeforeItsNotBeforeTime() {
        assertRejected(dev.token("alice").notBefore(Instant.now().plus(Duration.ofMinutes(5))).mint(), TokenRejection.NOT_YET_VALID);
    }

    @Test
    void rejectsATokenIssuedInTheFuture() {
        assertRejected(dev.token("alice").issuedAt(Instant.now().plus(Duration.ofMinutes(5))).mint(), TokenRejection.NOT_YET_VALID);
    }

    @Test
    void rejectsAnUnknownIssuer() {
        assertRejected(dev.token("alice").issuer("https://evil.example").mint(), TokenRejection.WRONG_ISSUER);
    }

    @Test
    void rejectsATokenWithoutIssuer() {
        assertRejected(dev.token("alice").issuer(null).mint(), TokenRejection.MISSING_CLAIM);
    }

    @Test
    void rejectsAWrongAudience() {
        assertRejected(dev.token("alice").audience("some-other-api").mint(), TokenRejection.WRONG_AUDIENCE);
    }

    @Test
    void acceptsWhenAnyAudienceMatches() {
        assertThat(accepted(verifier, dev.token("alice").audience("other", DevIssuer.DEFAULT_AUDIENCE).mint()).subject())
                .isEqualTo("alice");
    }

    @Test
    void rejectsAnAlgorithmOutsideTheIssuersAllowList() {
        verifier.close();
        verifier = verifierFor(dev.settings().withAlgorithms(Set.of("RS256")));
        TokenRejectedException e = rejected(verifier, dev.token("alice").algorithm("ES256").mint());
        assertThat(e.rejection()).isEqualTo(TokenRejection.DISALLOWED_ALGORITHM);
        assertThat(e.detail()).contains("'ES256'");
    }

    @Test
    void rejectsAlgNone() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(dev.issuer()).subject("alice")
                .audience(DevIssuer.DEFAULT_AUDIENCE).expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
        assertRejected(new PlainJWT(claims).serialize(), TokenRejection.DISALLOWED_ALGORITHM);
    }

    @Test
    void rejectsHmacSignedWithThePublicKey() throws JOSEException {
        RSAKey published = (RSAKey) dev.publicKeys().getKeyByKeyId(dev.signingKey(JWSAlgorithm.RS256).getKeyID());
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(dev.issuer()).subject("alice")
                .audience(DevIssuer.DEFAULT_AUDIENCE).expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID()).build(), claims);
        jwt.sign(new MACSigner(published.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertRejected(jwt.serialize(), TokenRejection.DISALLOWED_ALGORITHM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jwk", "jku", "x5u", "x5c"})
    void rejectsHeadersThatBringTheirOwnKey(String param) throws JOSEException {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("attacker").generate();
        Consumer<JWSHeader.Builder> header = switch (param) {
            case "jwk" -> h -> h.jwk(attacker.toPublicJWK());
            case "jku" -> h -> h.jwkURL(URI.create("https://attacker.example/jwks.json"));
            case "x5u" -> h -> h.x509CertURL(URI.create("https://attacker.example/cert.pem"));
            default -> h -> h.x509CertChain(List.of(Base64.encode("not really a certificate")));
        };
        TokenRejectedException e = rejected(verifier, dev.token("alice").signWith(attacker).header(header).mint());
        assertThat(e.rejection()).isEqualTo(TokenRejection.EMBEDDED_KEY);
        assertThat(e.detail()).isEqualTo(param);
    }

    @Test
    void rejectsCriticalHeadersItDoesNotUnderstand() {
        String token = dev.token("alice").header(h -> h.customParam("urn:example:policy", "x")
                .criticalParams(Set.of("urn:example:policy"))).mint();
        assertRejected(token, TokenRejection.UNSUPPORTED_CRITICAL_HEADER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-a-token", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", "a.b.c.d.e",
            "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl", "e30.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.WzEsMl0.c2lnbmF0dXJl"})
    void rejectsMalformedTokens(String token) {
        assertRejected(token, TokenRejection.MALFORMED);
    }

    @Test
    void rejectsNullAsMalformed() {
        assertRejected(null, TokenRejection.MALFORMED);
    }

    @Test
    void rejectsAnOversizedTokenBeforeParsingIt() {
        assertRejected("x".repeat(IssuerSettings.DEFAULT_MAX_TOKEN_BYTES + 1), TokenRejection.OVERSIZED);
        assertRejected(dev.token("alice").claim("padding", "p".repeat(20_000)).mint(), TokenRejection.OVERSIZED);
    }

    @Test
    void appliesTheIssuersOwnSizeLimit() {
        verifier.close();
        verifier = verifierFor(dev.settings().withMaxTokenBytes(600));
        assertRejected(dev.token("alice").claim("padding", "p".repeat(600)).mint(), TokenRejection.OVERSIZED);
    }

    @Test
    void rejectsAMissingRequiredClaim() {
        verifier.close();
        verifier = verifierFor(dev.settings().withRequiredClaims(Set.of("tenant")));
        TokenRejectedException e = rejected(verifier, dev.token("alice").mint());
        assertThat(e.rejection()).isEqualTo(TokenRejection.MISSING_CLAIM);
        assertThat(e.detail()).contains("tenant");
        assertThat(accepted(verifier, dev.token("alice").claim("tenant", "acme").mint()).claims()).containsEntry("tenant", "acme");
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "sub", "aud"})
    void rejectsATokenWithoutTheClaimsEveryTokenNeeds(String missing) throws JOSEException {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(dev.issuer());
        if (!missing.equals("sub")) {
            claims.subject("alice");
        }
        if (!missing.equals("aud")) {
            claims.audience(DevIssuer.DEFAULT_AUDIENCE);
        }
        if (!missing.equals("exp")) {
            claims.expirationTime(Date.from(Instant.now().plusSeconds(300)));
        }
        RSAKey key = (RSAKey) dev.signingKey(JWSAlgorithm.RS256);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
        TokenRejectedException e = rejected(verifier, jwt.serialize());
        assertThat(e.rejection()).isEqualTo(TokenRejection.MISSING_CLAIM);
        assertThat(e.detail()).isEqualTo(missing);
    }

    @Test
    void rejectsAGroupsClaimOfTheWrongType() {
        assertRejected(dev.token("alice").claim("groups", 42).mint(), TokenRejection.INVALID_CLAIM);
        assertRejected(dev.token("alice").claim("groups", List.of("dba", 7)).mint(), TokenRejection.INVALID_CLAIM);
    }

    @Test
    void rejectsAMalformedDelegationChain() {
        assertRejected(dev.token("alice").claim("act", "agent-7").mint(), TokenRejection.INVALID_CLAIM);
        assertRejected(dev.token("alice").claim("act", java.util.Map.of("client_id", "x")).mint(), TokenRejection.INVALID_CLAIM);
    }

    @Test
    void saysKeysAreUnavailableWhenTheIssuerIsDown() {
        try (DevIssuer down = DevIssuer.start(); TokenVerifier v = verifierFor(down.settings())) {
            down.failRequests(503);
            TokenRejectedException e = rejected(v, down.token("alice").mint());
            assertThat(e.rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
            assertThat(e.rejection().isTransient()).isTrue();
            assertThat(e.getCause()).isNotNull();
        }
    }

    @Test
    void failsClosedOnceTheVerifierIsClosed() {
        accepted(verifier, dev.token("alice").mint());
        verifier.close();
        assertRejected(dev.token("bob").mint(), TokenRejection.KEYS_UNAVAILABLE);
        TokenVerifier fresh = verifierFor(dev.settings());
        fresh.close();
        assertThat(rejected(fresh, dev.token("carol").mint()).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
    }

    @Test
    void rejectionsCarryNoStackTraceAndNeverQuoteTheToken() {
        String token = dev.token("alice").audience("elsewhere").mint();
        TokenRejectedException e = rejected(verifier, token);
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.toString()).doesNotContain(token);
    }
}
