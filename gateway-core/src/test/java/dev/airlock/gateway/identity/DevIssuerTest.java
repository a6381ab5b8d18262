package dev.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The development issuer over real HTTP: discovery, JWKS with public keys only, minted tokens. */
class DevIssuerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private DevIssuer dev;

    @BeforeEach
    void start() {
        dev = DevIssuer.start();
    }

    @AfterEach
    void stop() {
        dev.close();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesADiscoveryDocumentPointingAtItsJwks() throws Exception {
        HttpResponse<String> r = get(dev.discoveryUri());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        Map<String, Object> doc = JSONObjectUtils.parse(r.body());
        assertThat(doc).containsEntry("issuer", dev.issuer()).containsEntry("jwks_uri", dev.jwksUri().toString());
        assertThat(dev.issuer()).startsWith("http://127.0.0.1:");
        assertThat(dev.discoveryRequests()).isEqualTo(1);
    }

    @Test
    void servesOnlyPublicKeys() throws Exception {
        HttpResponse<String> r = get(dev.jwksUri());
        JWKSet set = JWKSet.parse(r.body());
        assertThat(set.getKeys()).hasSize(3).noneMatch(JWK::isPrivate);
        assertThat(set.getKeys()).extracting(k -> k.getKeyType().getValue()).containsExactlyInAnyOrder("RSA", "EC", "OKP");
        assertThat(r.body()).doesNotContain("\"d\"");
        assertThat(dev.jwksRequests()).isEqualTo(1);
    }

    @Test
    void publishesOldAndNewKeysAfterARotationThatKeepsThem() throws Exception {
        dev.rotate(true);
        assertThat(JWKSet.parse(get(dev.jwksUri()).body()).getKeys()).hasSize(6);
        dev.rotate(false);
        assertThat(JWKSet.parse(get(dev.jwksUri()).body()).getKeys()).hasSize(3);
    }

    @Test
    void mintsTokensWithIssuerAudienceKidAndLifetime() throws Exception {
        SignedJWT jwt = SignedJWT.parse(dev.token("alice").groups("dba").actor("agent-7").mint());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(dev.issuer());
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(DevIssuer.DEFAULT_AUDIENCE);
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isAfter(jwt.getJWTClaimsSet().getIssueTime());
        assertThat(jwt.getJWTClaimsSet().getJSONObjectClaim("act")).containsEntry("sub", "agent-7");
        assertThat(dev.publicKeys().getKeyByKeyId(jwt.getHeader().getKeyID())).isNotNull();
    }

    @Test
    void answersUnknownPathsWith404AndOutagesWithTheChosenStatus() throws Exception {
        assertThat(get(URI.create(dev.issuer() + "/nope")).statusCode()).isEqualTo(404);
        dev.failRequests(503);
        assertThat(get(dev.jwksUri()).statusCode()).isEqualTo(503);
        assertThat(dev.jwksRequests()).isEqualTo(1);
    }
}
