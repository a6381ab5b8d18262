package dev.airlock.gateway.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys of a fetched JWKS may verify signatures, and which key a header selects. */
class JwksKeyRingTest {

    @Test
    void keepsOnlyPublicSignatureKeysOfAcceptedTypes() throws Exception {
        JWK rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        JWK weakRsa = new RSAKeyGenerator(1024, true).keyID("weak").generate();
        JWK ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        JWK encryption = new ECKeyGenerator(Curve.P_256).keyID("enc").keyUse(KeyUse.ENCRYPTION).generate();
        JWK ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
        JWK x25519 = new OctetKeyPairGenerator(Curve.X25519).keyID("x").generate();
        JWK hmac = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();

        KeyRing ring = KeyRing.of(new JWKSet(List.of(rsa, weakRsa, ec, encryption, ed, x25519, hmac)));

        assertThat(ring.entries()).extracting(e -> e.jwk().getKeyID()).containsExactly("rsa", "ec", "ed");
        assertThat(ring.entries()).noneMatch(e -> e.jwk().isPrivate());
    }

    @Test
    void selectsByKidAndAlgorithmFamily() throws Exception {
        JWK rsa = new RSAKeyGenerator(2048).keyID("a").generate();
        JWK ec = new ECKeyGenerator(Curve.P_256).keyID("b").generate();
        JWK pinned = new RSAKeyGenerator(2048).keyID("c").algorithm(JWSAlgorithm.RS512).generate();
        KeyRing ring = KeyRing.of(new JWKSet(List.of(rsa, ec, pinned)));

        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("a").build())).containsExactly("a");
        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("a").build())).isEmpty();
        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("b").build())).isEmpty();
        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("c").build())).isEmpty();
        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.RS256).build())).containsExactly("a");
        assertThat(ids(ring, new JWSHeader.Builder(JWSAlgorithm.RS512).build())).containsExactly("a", "c");
    }

    private static List<String> ids(KeyRing ring, JWSHeader header) {
        return ring.candidates(header, 8).stream().map(e -> e.jwk().getKeyID()).toList();
    }
}
