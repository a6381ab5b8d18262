/** Implementation of token verification: JWKS fetching and caching, signature and claim checks, claim mapping. */
package dev.airlock.gateway.identity.internal;
