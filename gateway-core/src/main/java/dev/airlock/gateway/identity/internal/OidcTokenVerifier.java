package dev.airlock.gateway.identity.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.airlock.gateway.identity.IssuerSettings;
import dev.airlock.gateway.identity.TokenRejectedException;
import dev.airlock.gateway.identity.TokenRejection;
import dev.airlock.gateway.identity.TokenVerifier;
import dev.airlock.gateway.identity.VerifierOptions;
import dev.airlock.policy.Identity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TokenVerifier}: picks the issuer by the unverified {@code iss}, checks the header, fetches keys
 * through {@link IssuerKeys}, verifies the signature, then the time, audience and required claims, and maps the
 * claims with {@link ClaimMapper}. Verified tokens are cached by hash until they expire.
 */
public final class OidcTokenVerifier implements TokenVerifier {

    private static final Logger log = LoggerFactory.getLogger(OidcTokenVerifier.class);
    /** Most keys tried for a token without a {@code kid}. */
    private static final int MAX_CANDIDATE_KEYS = 8;

    private record Issuer(IssuerSettings settings, IssuerKeys keys) {
    }

    private final Map<String, Issuer> issuers;
    private final int maxTokenBytes;
    private final Clock clock;
    private final VerifiedTokenCache cache;
    private final ExecutorService executor;
    private final ExecutorService cpu;

    public OidcTokenVerifier(List<IssuerSettings> issuers, VerifierOptions options) {
        this.clock = options.clock();
        this.cache = new VerifiedTokenCache(options.tokenCacheSize());
        this.executor = Executors.newFixedThreadPool(options.fetchThreads(), daemonThreads("airlock-jwks-"));
        this.cpu = Executors.newFixedThreadPool(options.verifyThreads(), daemonThreads("airlock-token-verify-"));
        int timeout = (int) options.fetchTimeout().toMillis();
        ResourceRetriever retriever = new DefaultResourceRetriever(timeout, timeout, options.maxDocumentBytes());
        Map<String, Issuer> byName = new LinkedHashMap<>();
        int max = 0;
        for (IssuerSettings s : issuers) {
            IssuerKeys keys = new IssuerKeys(s, retriever, executor, clock, options.keysTtl(), options.minRefreshInterval());
            if (byName.putIfAbsent(s.issuer(), new Issuer(s, keys)) != null) {
                close();
                throw new IllegalArgumentException("issuers: " + s.issuer() + " twice (expected: each issuer once)");
            }
            max = Math.max(max, s.maxTokenBytes());
        }
        this.issuers = Map.copyOf(byName);
        this.maxTokenBytes = max == 0 ? IssuerSettings.DEFAULT_MAX_TOKEN_BYTES : max;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public CompletionStage<Identity> verify(String token) {
        CompletableFuture<Identity> out = new CompletableFuture<>();
        String hash = null;
        try {
            checkSize(token, maxTokenBytes);
            hash = sha256(token);
            Identity cached = cache.get(hash, clock.instant());
            if (cached != null) {
                return CompletableFuture.completedFuture(cached);
            }
            String tokenHash = hash;
            start(token, tokenHash).whenComplete((identity, failure) -> {
                if (failure == null) {
                    out.complete(identity);
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof RejectedExecutionException) {
                        cause = new TokenRejectedException(TokenRejection.KEYS_UNAVAILABLE, "verifier closed", cause);
                    }
                    logRejection(tokenHash, cause);
                    out.completeExceptionally(cause);
                }
            });
        } catch (TokenRejectedException e) {
            logRejection(hash, e);
            out.completeExceptionally(e);
        } catch (RuntimeException e) {
            // Not a verdict on the token but a fault here: fail closed, asynchronously like every other outcome.
            log.warn("Token verification failed unexpectedly", e);
            out.completeExceptionally(e);
        }
        return out;
    }

    /** Number of tokens in the verified-token cache. */
    public int cachedTokens() {
        return cache.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        cpu.shutdownNow();
    }

    private static void logRejection(String hash, Throwable t) {
        if (log.isDebugEnabled()) {
            log.debug("Token {} rejected: {}", hash == null ? "-" : hash.substring(0, 12), t.getMessage());
        }
    }

    private CompletableFuture<Identity> start(String token, String tokenHash) {
        SignedJWT jwt = parse(token);
        JWSHeader header = jwt.getHeader();
        checkHeader(header);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new TokenRejectedException(TokenRejection.MALFORMED, "claims are not a JSON object of JWT claims");
        }
        Object iss = claims.getClaim("iss");
        if (iss == null) {
            throw new TokenRejectedException(TokenRejection.MISSING_CLAIM, "iss");
        }
        Issuer issuer = iss instanceof String ? issuers.get(iss) : null;
        if (issuer == null) {
            throw new TokenRejectedException(TokenRejection.WRONG_ISSUER);
        }
        IssuerSettings settings = issuer.settings();
        checkSize(token, settings.maxTokenBytes());
        String alg = header.getAlgorithm().getName();
        if (!settings.algorithms().contains(alg)) {
            throw new TokenRejectedException(TokenRejection.DISALLOWED_ALGORITHM,
                    safe(alg) + " (expected: one of " + settings.algorithms().stream().sorted().toList() + ')');
        }
        // Signature checks cost up to milliseconds of CPU (ES256, EdDSA): off the caller's thread, which may be an
        // event loop, and off the fetch threads, which may be stuck on a slow issuer.
        return issuer.keys().current()
                .thenComposeAsync(keys -> verifySignature(jwt, issuer, keys, true), cpu)
                .thenApply(ignored -> accept(claims, settings, tokenHash));
    }

    private static SignedJWT parse(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // No cause: parser messages may quote parts of the input.
            throw new TokenRejectedException(TokenRejection.MALFORMED);
        }
        if (jwt instanceof PlainJWT) {
            throw new TokenRejectedException(TokenRejection.DISALLOWED_ALGORITHM, "none");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT)) {
            throw new TokenRejectedException(TokenRejection.MALFORMED, "encrypted tokens are not accepted");
        }
        return (SignedJWT) jwt;
    }

    private static void checkHeader(JWSHeader header) {
        if (header.getJWK() != null) {
            throw new TokenRejectedException(TokenRejection.EMBEDDED_KEY, "jwk");
        }
        if (header.getJWKURL() != null) {
            throw new TokenRejectedException(TokenRejection.EMBEDDED_KEY, "jku");
        }
        if (header.getX509CertURL() != null) {
            throw new TokenRejectedException(TokenRejection.EMBEDDED_KEY, "x5u");
        }
        if (header.getX509CertChain() != null) {
            throw new TokenRejectedException(TokenRejection.EMBEDDED_KEY, "x5c");
        }
        Set<String> crit = header.getCriticalParams();
        if (crit != null && !crit.isEmpty()) {
            throw new TokenRejectedException(TokenRejection.UNSUPPORTED_CRITICAL_HEADER,
                    crit.stream().map(OidcTokenVerifier::safe).sorted().toList().toString());
        }
        if (!header.isBase64URLEncodePayload()) {
            throw new TokenRejectedException(TokenRejection.UNSUPPORTED_CRITICAL_HEADER, "b64");
        }
        JWSAlgorithm alg = header.getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg) || alg.getName().equalsIgnoreCase("none")) {
            throw new TokenRejectedException(TokenRejection.DISALLOWED_ALGORITHM, safe(alg.getName()));
        }
    }

    private CompletableFuture<Void> verifySignature(SignedJWT jwt, Issuer issuer, KeyRing keys, boolean mayRefresh) {
        JWSHeader header = jwt.getHeader();
        List<KeyRing.Entry> candidates = keys.candidates(header, MAX_CANDIDATE_KEYS);
        if (candidates.isEmpty()) {
            if (mayRefresh) {
                return issuer.keys().refreshAfterMiss(keys).thenCompose(k -> verifySignature(jwt, issuer, k, false));
            }
            String kid = header.getKeyID();
            throw new TokenRejectedException(TokenRejection.UNKNOWN_KEY,
                    (kid == null ? "no kid" : "kid " + safe(kid)) + ", alg " + safe(header.getAlgorithm().getName()));
        }
        byte[] signingInput = jwt.getSigningInput();
        for (KeyRing.Entry key : candidates) {
            try {
                if (key.verifier().verify(header, signingInput, jwt.getSignature())) {
                    return CompletableFuture.completedFuture(null);
                }
            } catch (JOSEException | RuntimeException e) {
                // A signature that cannot even be checked (wrong length, bad encoding) is a bad signature.
                log.trace("Signature check failed", e);
            }
        }
        throw new TokenRejectedException(TokenRejection.BAD_SIGNATURE);
    }

    /** The signature is good: check time, audience and required claims, map, cache. */
    private Identity accept(JWTClaimsSet claims, IssuerSettings settings, String tokenHash) {
        Instant now = clock.instant();
        long skew = settings.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenRejectedException(TokenRejection.MISSING_CLAIM, "exp");
        }
        Instant validUntil = exp.toInstant().plusMillis(skew);
        if (now.isAfter(validUntil)) {
            throw new TokenRejectedException(TokenRejection.EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minusMillis(skew))) {
            throw new TokenRejectedException(TokenRejection.NOT_YET_VALID, "nbf");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.isBefore(iat.toInstant().minusMillis(skew))) {
            throw new TokenRejectedException(TokenRejection.NOT_YET_VALID, "iat");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || aud.isEmpty()) {
            throw new TokenRejectedException(TokenRejection.MISSING_CLAIM, "aud");
        }
        if (aud.stream().noneMatch(settings.audiences()::contains)) {
            throw new TokenRejectedException(TokenRejection.WRONG_AUDIENCE,
                    "expected one of " + settings.audiences().stream().sorted().toList());
        }
        for (String name : settings.requiredClaims()) {
            if (claims.getClaim(name) == null) {
                throw new TokenRejectedException(TokenRejection.MISSING_CLAIM, safe(name));
            }
        }
        Identity identity = ClaimMapper.map(settings.issuer(), claims.toJSONObject(), settings.groupsClaim());
        cache.put(tokenHash, identity, validUntil);
        return identity;
    }

    private static void checkSize(String token, int max) {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(TokenRejection.MALFORMED, "empty token");
        }
        if (token.length() > max) {
            throw new TokenRejectedException(TokenRejection.OVERSIZED, token.length() + " bytes (limit: " + max + ')');
        }
    }

    /** Header values are attacker-chosen: keep a short, printable prefix for messages. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 32; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x21 && c < 0x7f ? c : '?');
        }
        return s.length() > 32 ? "'" + b + "…'" : "'" + b + "'";
    }

    private static String sha256(String token) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
