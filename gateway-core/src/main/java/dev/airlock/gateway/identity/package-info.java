/**
 * OIDC access-token verification: per-issuer settings, the asynchronous {@link dev.airlock.gateway.identity.TokenVerifier}
 * that turns a JWT into a {@link dev.airlock.policy.Identity}, the rejection reasons connectors map to protocol
 * errors, and a development issuer that mints tokens and serves discovery and JWKS over local HTTP.
 */
package dev.airlock.gateway.identity;
