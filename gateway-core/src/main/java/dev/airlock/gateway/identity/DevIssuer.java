package dev.airlock.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A development OIDC issuer: it holds RSA, P-256 and Ed25519 signing keys, serves
 * {@code /.well-known/openid-configuration} and {@code /jwks.json} over plain HTTP on a loopback address, and
 * mints access tokens. For {@code airlock demo} and tests; never for production (keys live in memory only).
 *
 * <pre>{@code
 * try (DevIssuer dev = DevIssuer.start()) {
 *     String token = dev.token("alice").groups("dba").actor("agent-7").mint();
 *     TokenVerifier verifier = TokenVerifier.create(List.of(dev.settings()), VerifierOptions.defaults());
 * }
 * }</pre>
 */
public final class DevIssuer implements AutoCloseable {

    /** The audience of minted tokens unless a token says otherwise, and of {@link #settings()}. */
    public static final String DEFAULT_AUDIENCE = "airlock";
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);
    public static final String JWKS_PATH = "/jwks.json";
    public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final HttpServer server;
    private final String issuer;
    private final Clock clock;
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile int failWithStatus;

    // Guarded by this.
    private RSAKey rsa;
    private ECKey ec;
    private OctetKeyPair ed;
    private final List<JWK> published = new ArrayList<>();

    private DevIssuer(HttpServer server, Clock clock) {
        this.server = server;
        this.clock = clock;
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = '[' + host + ']';
        }
        this.issuer = "http://" + host + ':' + a.getPort();
        rotate(true);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts an issuer on an ephemeral loopback port. */
    public static DevIssuer start() {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Clock.systemUTC());
    }

    /** Starts an issuer on {@code address} (use a loopback address), timing tokens by {@code clock}. */
    public static DevIssuer start(InetSocketAddress address, Clock clock) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(clock, "clock");
        try {
            return new DevIssuer(HttpServer.create(address, 0), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + address, e);
        }
    }

    /** The issuer URL, the {@code iss} of minted tokens, e.g. {@code http://127.0.0.1:41234}. */
    public String issuer() {
        return issuer;
    }

    public URI jwksUri() {
        return URI.create(issuer + JWKS_PATH);
    }

    public URI discoveryUri() {
        return URI.create(issuer + DISCOVERY_PATH);
    }

    /** Settings that trust this issuer through discovery, for audience {@link #DEFAULT_AUDIENCE}. */
    public IssuerSettings settings() {
        return IssuerSettings.discovered(issuer, DEFAULT_AUDIENCE);
    }

    /** How many times the discovery document was requested. */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** How many times the JWKS was requested. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Answers every request with {@code status} (e.g. 500) until called with 0; for outage tests. */
    public void failRequests(int status) {
        this.failWithStatus = status;
    }

    /**
     * Generates fresh signing keys, which sign from now on and are published at once.
     *
     * @param keepOld keep publishing the previous keys, so tokens they signed still verify
     */
    public synchronized void rotate(boolean keepOld) {
        try {
            rsa = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
            ec = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true).generate();
            ed = new OctetKeyPairGenerator(Curve.Ed25519).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.EdDSA)
                    .keyIDFromThumbprint(true).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate signing keys", e);
        }
        if (!keepOld) {
            published.clear();
        }
        published.addAll(List.of(rsa, ec, ed));
    }

    /** The published keys, public parts only. */
    public synchronized JWKSet publicKeys() {
        return new JWKSet(published).toPublicJWKSet();
    }

    /** The current private signing key for {@code algorithm} (RS*, PS*, ES256, EdDSA). */
    public synchronized JWK signingKey(JWSAlgorithm algorithm) {
        if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
            return rsa;
        }
        if (JWSAlgorithm.ES256.equals(algorithm)) {
            return ec;
        }
        if (JWSAlgorithm.EdDSA.equals(algorithm)) {
            return ed;
        }
        throw new IllegalArgumentException("algorithm: " + algorithm + " (expected: RS*, PS*, ES256 or EdDSA)");
    }

    /** Starts a token for {@code subject}: audience {@link #DEFAULT_AUDIENCE}, RS256, valid for ten minutes. */
    public Token token(String subject) {
        return new Token(subject);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int fail = failWithStatus;
            if (fail != 0) {
                countRequest(path);
                respond(exchange, fail, "{\"error\":\"unavailable\"}");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, "{\"error\":\"method not allowed\"}");
                return;
            }
            switch (path) {
                case DISCOVERY_PATH -> {
                    discoveryRequests.incrementAndGet();
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("issuer", issuer);
                    doc.put("jwks_uri", jwksUri().toString());
                    doc.put("response_types_supported", List.of("code"));
                    doc.put("subject_types_supported", List.of("public"));
                    doc.put("id_token_signing_alg_values_supported", List.of("RS256", "PS256", "ES256", "EdDSA"));
                    respond(exchange, 200, JSONObjectUtils.toJSONString(doc));
                }
                case JWKS_PATH -> {
                    jwksRequests.incrementAndGet();
                    respond(exchange, 200, publicKeys().toString());
                }
                default -> respond(exchange, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private void countRequest(String path) {
        if (path.equals(DISCOVERY_PATH)) {
            discoveryRequests.incrementAndGet();
        } else if (path.equals(JWKS_PATH)) {
            jwksRequests.incrementAndGet();
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A token being built; {@link #mint()} signs it. */
    public final class Token {
        private final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        private final List<String> actors = new ArrayList<>();
        private JWSAlgorithm algorithm = JWSAlgorithm.RS256;
        private JWK key;
        private Consumer<JWSHeader.Builder> headerCustomizer = h -> { };
        private Instant issuedAt;
        private Duration lifetime = DEFAULT_LIFETIME;

        private Token(String subject) {
            claims.issuer(issuer).subject(subject).audience(DEFAULT_AUDIENCE).jwtID(java.util.UUID.randomUUID().toString());
        }

        public Token issuer(String iss) {
            claims.issuer(iss);
            return this;
        }

        public Token audience(String... audiences) {
            claims.audience(audiences.length == 0 ? null : Arrays.asList(audiences));
            return this;
        }

        public Token email(String email) {
            claims.claim("email", email);
            return this;
        }

        /** Sets the {@code groups} claim. */
        public Token groups(String... groups) {
            claims.claim("groups", List.of(groups));
            return this;
        }

        /** Sets any claim (JSON-typed values: String, Number, Boolean, List, Map), or removes it with {@code null}. */
        public Token claim(String name, Object value) {
            claims.claim(name, value);
            return this;
        }

        /**
         * Adds a link to the RFC 8693 delegation chain: the first call names the current actor, the next the
         * party that delegated to it, and so on (nested {@code act} claims).
         */
        public Token actor(String subject) {
            actors.add(Objects.requireNonNull(subject, "subject"));
            return this;
        }

        public Token issuedAt(Instant issuedAt) {
            this.issuedAt = issuedAt;
            return this;
        }

        /** Time from {@code iat} to {@code exp}. */
        public Token lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        public Token notBefore(Instant notBefore) {
            claims.notBeforeTime(Date.from(notBefore));
            return this;
        }

        /** Signs with the issuer's current key for {@code algorithm}: RS256/384/512, PS256/384/512, ES256, EdDSA. */
        public Token algorithm(String algorithm) {
            this.algorithm = JWSAlgorithm.parse(algorithm);
            return this;
        }

        /** Signs with {@code key} (which may be unpublished) instead of the issuer's own. */
        public Token signWith(JWK key) {
            this.key = key;
            return this;
        }

        /** Adjusts the header after {@code alg} and {@code kid} are set, e.g. to add {@code crit} in tests. */
        public Token header(Consumer<JWSHeader.Builder> customizer) {
            this.headerCustomizer = customizer;
            return this;
        }

        /** Signs and serialises the token. */
        public String mint() {
            Instant iat = issuedAt != null ? issuedAt : clock.instant();
            claims.issueTime(Date.from(iat)).expirationTime(Date.from(iat.plus(lifetime)));
            if (!actors.isEmpty()) {
                Map<String, Object> act = null;
                for (int i = actors.size() - 1; i >= 0; i--) {
                    Map<String, Object> link = new LinkedHashMap<>();
                    link.put("sub", actors.get(i));
                    if (act != null) {
                        link.put("act", act);
                    }
                    act = link;
                }
                claims.claim("act", act);
            }
            JWK signing = key != null ? key : signingKey(algorithm);
            JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(signing.getKeyID());
            headerCustomizer.accept(header);
            SignedJWT jwt = new SignedJWT(header.build(), claims.build());
            try {
                jwt.sign(signer(signing));
            } catch (JOSEException e) {
                throw new IllegalStateException("Cannot sign with " + algorithm + ": " + e.getMessage(), e);
            }
            return jwt.serialize();
        }
    }

    private static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof RSAKey) {
            return new RSASSASigner((RSAKey) key);
        }
        if (key instanceof ECKey) {
            return new ECDSASigner((ECKey) key);
        }
        if (key instanceof OctetKeyPair) {
            return new Ed25519Signer((OctetKeyPair) key);
        }
        throw new IllegalArgumentException("key: " + key.getKeyType() + " (expected: RSA, EC or OKP)");
    }

    /** The algorithms this issuer signs with. */
    public static Set<String> algorithms() {
        return Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA");
    }
}
