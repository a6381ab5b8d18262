package dev.airlock.gateway.identity;

import static dev.airlock.gateway.identity.Verification.accepted;
import static dev.airlock.gateway.identity.Verification.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.airlock.policy.Identity;
import dev.airlock.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fetching, caching and refreshing an issuer's keys, counted at a real HTTP JWKS endpoint. */
class JwksRefreshTest {

    private static final Duration MIN_REFRESH = Duration.ofSeconds(30);

    private DevIssuer dev;
    private MutableClock clock;
    private TokenVerifier verifier;

    @BeforeEach
    void start() {
        dev = DevIssuer.start();
        clock = MutableClock.now();
    }

    @AfterEach
    void stop() {
        if (verifier != null) {
            verifier.close();
        }
        dev.close();
    }

    private TokenVerifier verifier(IssuerSettings settings) {
        verifier = TokenVerifier.create(List.of(settings),
                VerifierOptions.defaults().withClock(clock).withMinRefreshInterval(MIN_REFRESH));
        return verifier;
    }

    private IssuerSettings fixedJwks() {
        return IssuerSettings.withJwks(dev.issuer(), dev.jwksUri(), DevIssuer.DEFAULT_AUDIENCE);
    }

    private static List<String> rogueTokens(DevIssuer dev, int n) throws JOSEException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ECKey rogue = new ECKeyGenerator(Curve.P_256).keyID("rogue-" + i).generate();
            tokens.add(dev.token("mallory").algorithm("ES256").signWith(rogue).mint());
        }
        return tokens;
    }

    private static void assertAllUnknownKey(List<CompletionStage<Identity>> stages, List<String> tokens) {
        for (int i = 0; i < stages.size(); i++) {
            assertThat(rejected(stages.get(i), tokens.get(i)).rejection()).isEqualTo(TokenRejection.UNKNOWN_KEY);
        }
    }

    @Test
    void fetchesTheJwksOnceForManyTokens() {
        TokenVerifier v = verifier(fixedJwks());
        for (int i = 0; i < 5; i++) {
            accepted(v, dev.token("alice-" + i).mint());
        }
        assertThat(dev.jwksRequests()).isEqualTo(1);
        assertThat(dev.discoveryRequests()).isZero();
    }

    @Test
    void concurrentFirstCallersShareOneFetch() throws Exception {
        TokenVerifier v = verifier(dev.settings());
        int threads = 8;
        List<List<String>> tokens = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                mine.add(dev.token("user-" + t + "-" + i).algorithm(i % 2 == 0 ? "ES256" : "EdDSA").mint());
            }
            tokens.add(mine);
        }
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<List<CompletionStage<Identity>>>> started = new ArrayList<>();
            for (List<String> mine : tokens) {
                started.add(pool.submit(() -> {
                    go.await();
                    return mine.stream().map(v::verify).toList();
                }));
            }
            go.countDown();
            for (int t = 0; t < threads; t++) {
                List<CompletionStage<Identity>> stages = started.get(t).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < stages.size(); i++) {
                    assertThat(stages.get(i).toCompletableFuture().get(10, TimeUnit.SECONDS).subject())
                            .isEqualTo("user-" + t + "-" + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(dev.discoveryRequests()).isEqualTo(1);
        assertThat(dev.jwksRequests()).isEqualTo(1);
    }

    @Test
    void fetchesARotatedKeyOnceAndThenUsesIt() {
        TokenVerifier v = verifier(fixedJwks());
        accepted(v, dev.token("alice").mint());
        assertThat(dev.jwksRequests()).isEqualTo(1);

        clock.advance(MIN_REFRESH);
        dev.rotate(true);
        String rotated = dev.token("alice").mint();
        assertThat(accepted(v, rotated).subject()).isEqualTo("alice");
        assertThat(dev.jwksRequests()).isEqualTo(2);

        accepted(v, dev.token("bob").mint());
        accepted(v, dev.token("carol").algorithm("EdDSA").mint());
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    @Test
    void aFloodOfUnknownKidsDoesNotHammerTheJwksEndpoint() throws JOSEException {
        TokenVerifier v = verifier(fixedJwks());
        accepted(v, dev.token("alice").mint());
        assertThat(dev.jwksRequests()).isEqualTo(1);

        // Right after a fetch: the rate limit allows no refresh at all.
        List<String> flood = rogueTokens(dev, 40);
        List<CompletionStage<Identity>> stages = flood.stream().map(v::verify).toList();
        assertAllUnknownKey(stages, flood);
        assertThat(dev.jwksRequests()).isEqualTo(1);

        // Once the interval has passed, a concurrent flood shares a single refresh.
        clock.advance(MIN_REFRESH);
        List<String> flood2 = rogueTokens(dev, 40);
        stages = flood2.stream().map(v::verify).toList();
        assertAllUnknownKey(stages, flood2);
        assertThat(dev.jwksRequests()).isEqualTo(2);

        // And the next flood inside the interval fetches nothing.
        clock.advance(MIN_REFRESH.dividedBy(2));
        stages = flood.stream().map(v::verify).toList();
        assertAllUnknownKey(stages, flood);
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    @Test
    void aTokenSignedRightAfterARotationWaitsForTheRateLimitThenVerifies() {
        TokenVerifier v = verifier(fixedJwks());
        accepted(v, dev.token("alice").mint());
        dev.rotate(true);
        String rotated = dev.token("alice").mint();
        assertThat(rejected(v, rotated).rejection()).isEqualTo(TokenRejection.UNKNOWN_KEY);
        clock.advance(MIN_REFRESH);
        assertThat(accepted(v, rotated).subject()).isEqualTo("alice");
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    @Test
    void refreshesStaleKeysInTheBackgroundWhileServingTheOldOnes() {
        verifier = TokenVerifier.create(List.of(fixedJwks()), VerifierOptions.defaults().withClock(clock)
                .withMinRefreshInterval(MIN_REFRESH).withKeysTtl(Duration.ofMinutes(1)));
        accepted(verifier, dev.token("alice").mint());
        String oldKeyToken = dev.token("bob").mint();
        com.nimbusds.jose.jwk.JWK oldKey = dev.signingKey(com.nimbusds.jose.JWSAlgorithm.RS256);
        dev.rotate(false);
        clock.advance(Duration.ofMinutes(2));

        // Past the TTL: the stale keys answer at once, and a refresh starts behind them.
        assertThat(accepted(verifier, oldKeyToken).subject()).isEqualTo("bob");
        await(() -> dev.jwksRequests() == 2);
        // The refresh is in flight or done: a token under a new kid joins it rather than fetching again.
        assertThat(accepted(verifier, dev.token("carol").mint()).subject()).isEqualTo("carol");
        assertThat(rejected(verifier, dev.token("dave").signWith(oldKey).mint()).rejection())
                .isEqualTo(TokenRejection.UNKNOWN_KEY);
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    @Test
    void stopsTrustingKeysTooOldToRefresh() {
        verifier = TokenVerifier.create(List.of(fixedJwks()), VerifierOptions.defaults().withClock(clock)
                .withMinRefreshInterval(MIN_REFRESH).withKeysTtl(Duration.ofMinutes(1)));
        accepted(verifier, dev.token("alice").lifetime(Duration.ofHours(1)).mint());
        dev.failRequests(500);
        clock.advance(Duration.ofMinutes(5));
        String token = dev.token("bob").issuedAt(clock.instant()).mint();
        assertThat(rejected(verifier, token).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
        dev.failRequests(0);
        clock.advance(MIN_REFRESH);
        assertThat(accepted(verifier, token).subject()).isEqualTo("bob");
    }

    @Test
    void keepsTheKnownKeysWhenARefreshFails() throws JOSEException {
        TokenVerifier v = verifier(fixedJwks());
        accepted(v, dev.token("alice").mint());
        clock.advance(MIN_REFRESH);
        dev.failRequests(500);
        String rogue = rogueTokens(dev, 1).get(0);
        assertThat(rejected(v, rogue).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
        assertThat(dev.jwksRequests()).isEqualTo(2);
        assertThat(accepted(v, dev.token("bob").mint()).subject()).isEqualTo("bob");
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    /** Waits, bounded, for something another thread does; fails the test if it never happens. */
    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void usesDiscoveryToFindTheJwks() {
        TokenVerifier v = verifier(dev.settings());
        accepted(v, dev.token("alice").mint());
        assertThat(dev.discoveryRequests()).isEqualTo(1);
        assertThat(dev.jwksRequests()).isEqualTo(1);

        // A refresh reuses the discovered location.
        clock.advance(MIN_REFRESH);
        dev.rotate(false);
        accepted(v, dev.token("bob").mint());
        assertThat(dev.discoveryRequests()).isEqualTo(1);
        assertThat(dev.jwksRequests()).isEqualTo(2);
    }

    @Test
    void refusesADiscoveryDocumentForAnotherIssuer() {
        String lookalike = dev.issuer() + "/";
        TokenVerifier v = verifier(IssuerSettings.discovered(lookalike, DevIssuer.DEFAULT_AUDIENCE));
        TokenRejectedException e = rejected(v, dev.token("alice").issuer(lookalike).mint());
        assertThat(e.rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
        assertThat(e.getCause()).hasMessageContaining("names issuer " + dev.issuer());
        assertThat(dev.jwksRequests()).isZero();
    }

    @Test
    void retriesAFailedFirstFetchOnlyAfterTheInterval() {
        TokenVerifier v = verifier(dev.settings());
        dev.failRequests(500);
        String token = dev.token("alice").mint();
        assertThat(rejected(v, token).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
        assertThat(rejected(v, token).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
        assertThat(dev.discoveryRequests()).isEqualTo(1);

        dev.failRequests(0);
        clock.advance(MIN_REFRESH);
        assertThat(accepted(v, token).subject()).isEqualTo("alice");
        assertThat(dev.discoveryRequests()).isEqualTo(2);
    }

    @Test
    void rejectsAJwksLargerThanTheLimit() {
        verifier = TokenVerifier.create(List.of(fixedJwks()), VerifierOptions.defaults().withClock(clock).withMaxDocumentBytes(64));
        assertThat(rejected(verifier, dev.token("alice").mint()).rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
    }

    @Test
    void givesUpOnAJwksEndpointThatNeverAnswers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer stalled = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        stalled.createContext("/", exchange -> {
            try (exchange) {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stalled.start();
        try {
            java.net.URI jwks = java.net.URI.create("http://127.0.0.1:" + stalled.getAddress().getPort() + "/jwks");
            verifier = TokenVerifier.create(List.of(IssuerSettings.withJwks(dev.issuer(), jwks, DevIssuer.DEFAULT_AUDIENCE)),
                    VerifierOptions.defaults().withFetchTimeout(Duration.ofMillis(300)));
            long t0 = System.nanoTime();
            TokenRejectedException e = rejected(verifier, dev.token("alice").mint());
            assertThat(e.rejection()).isEqualTo(TokenRejection.KEYS_UNAVAILABLE);
            assertThat(e.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        } finally {
            release.countDown();
            stalled.stop(0);
        }
    }

    @Test
    void fetchesKeysAndChecksSignaturesOffTheCallingThread() throws Exception {
        // the JWKS answers only when released, so the stage is still pending when the probe is attached: a stage
        // that completed first would run the probe on the caller and say nothing about the verifier's threads
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer gated = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        gated.createContext("/", exchange -> {
            try (exchange; java.io.InputStream in = dev.jwksUri().toURL().openStream()) {
                release.await(20, TimeUnit.SECONDS);
                byte[] keys = in.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, keys.length);
                exchange.getResponseBody().write(keys);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gated.start();
        try {
            java.net.URI jwks = java.net.URI.create("http://127.0.0.1:" + gated.getAddress().getPort() + "/jwks");
            TokenVerifier v = verifier(IssuerSettings.withJwks(dev.issuer(), jwks, DevIssuer.DEFAULT_AUDIENCE));
            Thread caller = Thread.currentThread();
            CompletableFuture<String> thread = v.verify(dev.token("alice").mint())
                    .thenApply(id -> Thread.currentThread().getName()).toCompletableFuture();
            assertThat(thread).isNotDone();
            release.countDown();
            assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("airlock-token-verify-").isNotEqualTo(caller.getName());
            assertThat(dev.jwksRequests()).isEqualTo(1);
        } finally {
            release.countDown();
            gated.stop(0);
        }
    }

    @Test
    void answersACachedTokenAtOnceWithoutTheIssuer() {
        TokenVerifier v = verifier(fixedJwks());
        String token = dev.token("alice").mint();
        Identity first = accepted(v, token);
        dev.close();
        CompletionStage<Identity> again = v.verify(token);
        assertThat(again.toCompletableFuture()).isCompletedWithValue(first);
        assertThat(dev.jwksRequests()).isEqualTo(1);
    }

    @Test
    void forgetsACachedTokenWhenItExpires() {
        TokenVerifier v = verifier(fixedJwks());
        String token = dev.token("alice").lifetime(Duration.ofMinutes(2)).mint();
        accepted(v, token);
        clock.advance(Duration.ofMinutes(4));
        assertThat(rejected(v, token).rejection()).isEqualTo(TokenRejection.EXPIRED);
    }

    @Test
    void boundsTheVerifiedTokenCache() {
        verifier = TokenVerifier.create(List.of(fixedJwks()), VerifierOptions.defaults().withClock(clock).withTokenCacheSize(3));
        for (int i = 0; i < 10; i++) {
            accepted(verifier, dev.token("user-" + i).mint());
        }
        assertThat(((dev.airlock.gateway.identity.internal.OidcTokenVerifier) verifier).cachedTokens()).isEqualTo(3);
    }

    @Test
    void trustsSeveralIssuersEachWithItsOwnKeys() {
        try (DevIssuer other = DevIssuer.start()) {
            verifier = TokenVerifier.create(List.of(dev.settings(), other.settings().withGroupsClaim("roles")),
                    VerifierOptions.defaults().withClock(clock));
            Identity a = accepted(verifier, dev.token("alice").groups("dba").mint());
            Identity b = accepted(verifier, other.token("bob").claim("roles", List.of("ops")).mint());
            assertThat(a.issuer()).isEqualTo(dev.issuer());
            assertThat(a.groups()).containsExactly("dba");
            assertThat(b.issuer()).isEqualTo(other.issuer());
            assertThat(b.groups()).containsExactly("ops");

            // A token claiming one issuer but signed with the other's key names a kid its issuer never published.
            String crossed = other.token("bob").issuer(dev.issuer()).mint();
            assertThat(rejected(verifier, crossed).rejection()).isEqualTo(TokenRejection.UNKNOWN_KEY);
            assertThat(dev.jwksRequests()).isEqualTo(1);
            assertThat(other.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void rejectsDuplicateIssuers() {
        IssuerSettings s = dev.settings();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenVerifier.create(List.of(s, s.withAudiences(Set.of("x"))), VerifierOptions.defaults()))
                .withMessageContaining("twice");
    }
}
