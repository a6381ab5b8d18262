package dev.airlock.gateway.identity;

/**
 * Why a token was refused. Each value has a stable {@link #code()} for logs, lineage and protocol errors, and a
 * {@link #message()} that is safe to show to the caller: it never contains the token or any part of it.
 */
public enum TokenRejection {
    /** Not a compact-serialised signed JWT, or its header or claims are not valid JSON / JWT claims. */
    MALFORMED("malformed_token", "the token is not a well-formed signed JWT"),
    /** Longer than the configured maximum; rejected before parsing. */
    OVERSIZED("oversized_token", "the token is larger than allowed"),
    /** The {@code iss} claim names an issuer that is not configured. */
    WRONG_ISSUER("wrong_issuer", "the token's issuer is not trusted"),
    /** {@code alg} is {@code none}, symmetric, or not in the issuer's allow-list. */
    DISALLOWED_ALGORITHM("disallowed_algorithm", "the token's signature algorithm is not allowed"),
    /** The header carries its own key or a pointer to one ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}). */
    EMBEDDED_KEY("embedded_key", "the token header names its own verification key"),
    /** The header lists {@code crit} parameters this verifier does not understand. */
    UNSUPPORTED_CRITICAL_HEADER("unsupported_critical_header", "the token header has critical parameters that are not understood"),
    /** No key of the issuer's JWKS matches the token's {@code kid} (after a rate-limited refresh). */
    UNKNOWN_KEY("unknown_key", "the token was signed with a key the issuer does not publish"),
    /** The signature does not verify with the issuer's key. */
    BAD_SIGNATURE("bad_signature", "the token's signature is invalid"),
    /** {@code exp} is in the past (beyond the allowed clock skew). */
    EXPIRED("expired", "the token has expired"),
    /** {@code nbf} or {@code iat} is in the future (beyond the allowed clock skew). */
    NOT_YET_VALID("not_yet_valid", "the token is not valid yet"),
    /** {@code aud} names none of the audiences configured for the issuer. */
    WRONG_AUDIENCE("wrong_audience", "the token is not meant for this service"),
    /** A claim that must be present ({@code sub}, {@code exp} or a configured required claim) is missing. */
    MISSING_CLAIM("missing_claim", "the token lacks a required claim"),
    /** A claim has the wrong type or shape (groups, email, delegation chain). */
    INVALID_CLAIM("invalid_claim", "the token has a claim of the wrong type"),
    /** The issuer's discovery document or JWKS could not be fetched or parsed; not the token's fault. */
    KEYS_UNAVAILABLE("keys_unavailable", "the issuer's signing keys are unavailable; try again later");

    private final String code;
    private final String message;

    TokenRejection(String code, String message) {
        this.code = code;
        this.message = message;
    }

    /** A stable, lower-case identifier, e.g. {@code "bad_signature"}. */
    public String code() {
        return code;
    }

    /** A human-readable sentence that is safe to send to the caller. */
    public String message() {
        return message;
    }

    /** Whether the caller may succeed by retrying the same token later (the issuer was unreachable). */
    public boolean isTransient() {
        return this == KEYS_UNAVAILABLE;
    }
}
