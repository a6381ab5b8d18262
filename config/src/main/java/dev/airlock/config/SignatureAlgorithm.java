package dev.airlock.config;

/** JWS algorithms an identity provider's tokens may be signed with. Symmetric ({@code HS*}) and {@code none} are not offered. */
public enum SignatureAlgorithm {
    RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EDDSA;

    /** The JOSE name ({@code RS256}, ..., {@code EdDSA}), also the YAML spelling. */
    public String joseName() {
        return this == EDDSA ? "EdDSA" : name();
    }
}
