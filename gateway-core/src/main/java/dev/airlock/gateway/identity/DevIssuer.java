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
 * mints access tokens. For registered clients it also runs the authorization code flow with PKCE
 * ({@code /authorize} asks for a user name, no password; {@code /token} redeems a code once). For {@code airlock demo} and tests; never for production (keys live in memory only).
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
    public static final String AUTHORIZE_PATH = "/authorize";
    public static final String TOKEN_PATH = "/token";
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(1);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

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

    /** Registered clients of the authorization code flow: client id → redirect URI (exact match). */
    private final Map<String, String> clients = new java.util.concurrent.ConcurrentHashMap<>();
    /** Issued, not yet redeemed codes. */
    private final Map<String, Grant> codes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.Function<String, Token> users = this::token;

    private record Grant(String clientId, String redirectUri, String challenge, String nonce, String subject, Instant expires) {
    }

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

    /**
     * Makes the JDK's {@code HttpServer} (the development servers of the demo: this issuer, the demo's billing API
     * and token minter) set {@code TCP_NODELAY}. Without it the server writes headers and body in two segments and
     * the body waits for the client's delayed ACK: ~40 ms per answer, capping a keep-alive client at ~25 requests/s.
     * The property is read when the first such server starts in the JVM.
     */
    public static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Starts an issuer on {@code address} (use a loopback address), timing tokens by {@code clock}. */
    public static DevIssuer start(InetSocketAddress address, Clock clock) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(clock, "clock");
        noDelay();
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

    /**
     * Registers a client of the authorization code flow (public client, PKCE {@code S256} required): the
     * {@code redirect_uri} of its requests must equal {@code redirectUri}.
     */
    public void registerClient(String clientId, URI redirectUri) {
        clients.put(Objects.requireNonNull(clientId, "clientId"), redirectUri.toString());
    }

    /**
     * How a person who signs in on the {@code /authorize} page becomes an access token (e.g. which groups a name
     * gets); the default is {@link #token(String)} with no groups. The ID token is minted separately.
     */
    public void signInUsers(java.util.function.Function<String, Token> users) {
        this.users = Objects.requireNonNull(users, "users");
    }

    public URI authorizationEndpoint() {
        return URI.create(issuer + AUTHORIZE_PATH);
    }

    public URI tokenEndpoint() {
        return URI.create(issuer + TOKEN_PATH);
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
            if (path.equals(AUTHORIZE_PATH)) {
                authorize(exchange);
                return;
            }
            if (path.equals(TOKEN_PATH)) {
                tokenEndpoint(exchange);
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
                    doc.put("authorization_endpoint", authorizationEndpoint().toString());
                    doc.put("token_endpoint", tokenEndpoint().toString());
                    doc.put("response_types_supported", List.of("code"));
                    doc.put("grant_types_supported", List.of("authorization_code"));
                    doc.put("code_challenge_methods_supported", List.of("S256"));
                    doc.put("token_endpoint_auth_methods_supported", List.of("none"));
                    doc.put("scopes_supported", List.of("openid", "email", "profile"));
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

    // ------------------------------------------------------------------ authorization code flow (development only)

    /**
     * {@code GET /authorize}: a sign-in form asking for a user name (no password: a development issuer);
     * {@code POST /authorize}: issues a one-time code and redirects back to the client.
     */
    private void authorize(HttpExchange ex) throws IOException {
        Map<String, String> p = ex.getRequestMethod().equals("POST")
                ? form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                : form(ex.getRequestURI().getRawQuery());
        String clientId = p.get("client_id");
        String redirectUri = p.get("redirect_uri");
        if (clientId == null || redirectUri == null || !redirectUri.equals(clients.get(clientId))) {
            // never redirect to an unregistered URI
            html(ex, 400, "<p>Unknown client or redirect_uri.</p>");
            return;
        }
        String state = p.getOrDefault("state", "");
        if (!"code".equals(p.get("response_type")) || !"S256".equals(p.get("code_challenge_method"))
                || p.get("code_challenge") == null || p.get("code_challenge").length() < 43) {
            redirect(ex, redirectUri, "error=invalid_request&error_description=" + enc("response_type code and PKCE S256 required")
                    + "&state=" + enc(state));
            return;
        }
        if (ex.getRequestMethod().equals("GET")) {
            StringBuilder b = new StringBuilder("<form method=\"post\" action=\"" + AUTHORIZE_PATH + "\">");
            for (String k : List.of("client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method",
                    "response_type", "scope")) {
                if (p.get(k) != null) {
                    b.append("<input type=\"hidden\" name=\"").append(k).append("\" value=\"").append(escape(p.get(k))).append("\">");
                }
            }
            b.append("<label>User name <input name=\"username\" autofocus required></label> <button>Sign in</button></form>");
            html(ex, 200, "<h1>Development issuer: sign in</h1>" + b);
            return;
        }
        String user = p.get("username");
        if (user == null || !user.matches("[A-Za-z0-9._@-]{1,64}")) {
            html(ex, 400, "<p>username: expected 1-64 letters, digits, '.', '_', '@' or '-'.</p>");
            return;
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String code = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        codes.put(code, new Grant(clientId, redirectUri, p.get("code_challenge"), p.get("nonce"), user,
                clock.instant().plus(CODE_LIFETIME)));
        redirect(ex, redirectUri, "code=" + enc(code) + "&state=" + enc(state));
    }

    /** {@code POST /token}: redeems a code once, checking client, redirect URI and the PKCE verifier. */
    private void tokenEndpoint(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            respond(ex, 405, "{\"error\":\"invalid_request\",\"error_description\":\"POST expected\"}");
            return;
        }
        Map<String, String> p = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String code = p.get("code");
        Grant g = code == null ? null : codes.remove(code);
        if (!"authorization_code".equals(p.get("grant_type"))) {
            respond(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
            return;
        }
        if (g == null || clock.instant().isAfter(g.expires()) || !g.clientId().equals(p.get("client_id"))
                || !g.redirectUri().equals(p.get("redirect_uri"))) {
            respond(ex, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        String verifier = p.get("code_verifier");
        String challenge;
        try {
            challenge = verifier == null ? "" : java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!java.security.MessageDigest.isEqual(challenge.getBytes(StandardCharsets.US_ASCII),
                g.challenge().getBytes(StandardCharsets.US_ASCII))) {
            respond(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"code_verifier does not match\"}");
            return;
        }
        String access = users.apply(g.subject()).mint();
        Token id = token(g.subject()).audience(g.clientId());
        if (g.nonce() != null) {
            id.claim("nonce", g.nonce());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("access_token", access);
        out.put("token_type", "Bearer");
        out.put("id_token", id.mint());
        out.put("expires_in", DEFAULT_LIFETIME.toSeconds());
        exchangeHeaders(ex);
        respond(ex, 200, JSONObjectUtils.toJSONString(out));
    }

    private static void exchangeHeaders(HttpExchange ex) {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
    }

    private static void redirect(HttpExchange ex, String to, String query) throws IOException {
        ex.getResponseHeaders().set("Location", to + (to.contains("?") ? "&" : "?") + query);
        ex.sendResponseHeaders(302, -1);
    }

    private static void html(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Airlock dev issuer</title></head><body>"
                + body + "</body></html>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static Map<String, String> form(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return m;
        }
        for (String pair : s.split("&")) {
            int eq = pair.indexOf('=');
            try {
                m.putIfAbsent(java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // malformed escape: field left out
            }
        }
        return m;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
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
