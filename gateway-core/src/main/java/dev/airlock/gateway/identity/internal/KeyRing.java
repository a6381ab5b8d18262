package dev.airlock.gateway.identity.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's usable signing keys, each with its ready-made Nimbus verifier (built once per fetch, not per token).
 * Only public RSA (2048 bits or more), P-256/384/521 and Ed25519 signature keys are kept; symmetric keys never.
 */
record KeyRing(List<Entry> entries) {

    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);
    static final int MIN_RSA_BITS = 2048;
    static final KeyRing EMPTY = new KeyRing(List.of());

    record Entry(JWK jwk, JWSVerifier verifier) {
    }

    KeyRing {
        entries = List.copyOf(entries);
    }

    static KeyRing of(JWKSet set) {
        List<Entry> out = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            JWK pub = usable(jwk);
            if (pub == null) {
                log.debug("Skipping key {} ({}): not a usable public signature key", jwk.getKeyID(), jwk.getKeyType());
                continue;
            }
            try {
                out.add(new Entry(pub, verifierFor(pub)));
            } catch (JOSEException | RuntimeException e) {
                log.debug("Skipping key {}: {}", jwk.getKeyID(), e.toString());
            }
        }
        return new KeyRing(out);
    }

    /** Keys that may have signed a token with this header: same {@code kid} when it has one, fit for {@code alg}. */
    List<Entry> candidates(JWSHeader header, int max) {
        String kid = header.getKeyID();
        JWSAlgorithm alg = header.getAlgorithm();
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            JWK k = e.jwk();
            if (kid != null && !kid.equals(k.getKeyID())) {
                continue;
            }
            if (k.getAlgorithm() != null && !k.getAlgorithm().equals(alg)) {
                continue;
            }
            if (fits(k, alg)) {
                out.add(e);
                if (out.size() == max) {
                    break;
                }
            }
        }
        return out;
    }

    int size() {
        return entries.size();
    }

    /** The public part of a key fit for verifying signatures, or {@code null} to skip it. */
    static JWK usable(JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return null;
        }
        if (jwk instanceof RSAKey) {
            return jwk.size() >= MIN_RSA_BITS ? jwk.toPublicJWK() : null;
        }
        if (jwk instanceof ECKey) {
            Curve c = ((ECKey) jwk).getCurve();
            return Curve.P_256.equals(c) || Curve.P_384.equals(c) || Curve.P_521.equals(c) ? jwk.toPublicJWK() : null;
        }
        if (jwk instanceof OctetKeyPair) {
            return Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve()) ? jwk.toPublicJWK() : null;
        }
        return null; // symmetric ("oct") keys are never used: no HMAC with a published key
    }

    private static boolean fits(JWK key, JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return key instanceof RSAKey;
        }
        if (key instanceof ECKey) {
            Curve c = ((ECKey) key).getCurve();
            return JWSAlgorithm.ES256.equals(alg) && Curve.P_256.equals(c)
                    || JWSAlgorithm.ES384.equals(alg) && Curve.P_384.equals(c)
                    || JWSAlgorithm.ES512.equals(alg) && Curve.P_521.equals(c);
        }
        return JWSAlgorithm.EdDSA.equals(alg) && key instanceof OctetKeyPair
                && Curve.Ed25519.equals(((OctetKeyPair) key).getCurve());
    }

    private static JWSVerifier verifierFor(JWK key) throws JOSEException {
        if (key instanceof RSAKey) {
            return new RSASSAVerifier((RSAKey) key);
        }
        if (key instanceof ECKey) {
            return new ECDSAVerifier((ECKey) key);
        }
        return new Ed25519Verifier((OctetKeyPair) key);
    }
}
