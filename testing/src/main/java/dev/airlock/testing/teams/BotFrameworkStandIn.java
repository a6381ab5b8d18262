package dev.airlock.testing.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A local stand-in for what a Teams bot talks to, speaking the real wire formats:
 * <ul>
 *   <li>Entra's token endpoint ({@code POST /{tenant}/oauth2/v2.0/token}, client credentials);</li>
 *   <li>the Bot Connector ({@code POST|PUT /v3/conversations/{id}/activities[/{activityId}]},
 *       {@code GET /v3/conversations/{id}/members/{memberId}}), which demands the token it issued;</li>
 *   <li>the Bot Framework's OpenID metadata and keys ({@code /v1/.well-known/openidconfiguration}, {@code /keys}),
 *       with {@code endorsements};</li>
 * </ul>
 * and builds {@code adaptiveCard/action} invokes signed the way the Bot Framework signs its deliveries.
 */
public final class BotFrameworkStandIn implements AutoCloseable {

    public static final String APP_ID = "6b1c3f2e-0d4a-4c1e-9a57-2f3a1b0c9d8e";
    public static final String APP_PASSWORD = "teams-app-secret";
    public static final String TENANT = "3f6e1a2b-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
    public static final String OTHER_TENANT = "99999999-0000-4000-8000-000000000000";
    public static final String CONVERSATION = "19:dba-approvals@thread.tacv2";
    public static final String ISSUER = "https://api.botframework.com";

    /** A conversation member as {@code GET …/members/{id}} reports it ({@code TeamsChannelAccount}). */
    public record Member(String id, String aadObjectId, String name, String email, String tenantId, String userRole) {
        public static Member user(String aadObjectId, String email) {
            return new Member("29:" + aadObjectId.substring(0, 8), aadObjectId, email, email, TENANT, "user");
        }
    }

    /** One request as received. */
    public record Call(String method, String path, String authorization, JsonNode body) {
    }

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer http;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newHttpClient();
    private volatile RSAKey signingKey;
    private final RSAKey unendorsedKey;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final Map<String, Integer> rateLimitNext = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> activities = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private volatile String token = "bf-token-0";

    public BotFrameworkStandIn() throws IOException {
        try {
            signingKey = new RSAKeyGenerator(2048).keyID("bf-key-1").generate();
            unendorsedKey = new RSAKeyGenerator(2048).keyID("bf-key-webchat").generate();
        } catch (JOSEException e) {
            throw new IOException(e);
        }
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::serve);
        http.setExecutor(threads);
        http.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** The Bot Connector service URL, as activities carry it. */
    public String serviceUrl() {
        return baseUrl() + "/";
    }

    public URI openIdMetadataUrl() {
        return URI.create(baseUrl() + "/v1/.well-known/openidconfiguration");
    }

    public void addMember(Member m) {
        members.put(m.id(), m);
    }

    /** The next call whose path contains {@code pathPart} is answered with 429 and {@code Retry-After: seconds}. */
    public void rateLimitNext(String pathPart, int seconds) {
        rateLimitNext.put(pathPart, seconds);
    }

    /** Makes every token issued so far invalid (the Bot Connector answers 401 until a new one is fetched). */
    public void revokeTokens() {
        token = "bf-token-revoked-" + counter.incrementAndGet();
    }

    /** Publishes a new signing key (id {@code bf-key-<n>}) in place of the current one; later tokens use it. */
    public void rotateSigningKey() {
        try {
            signingKey = new RSAKeyGenerator(2048).keyID("bf-key-" + (counter.incrementAndGet() + 1)).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    public int keyFetches() {
        return keyFetches.get();
    }

    /** The activity the bot last sent or updated under this id, or {@code null}. */
    public ObjectNode activity(String id) {
        return activities.get(id);
    }

    /** Waits until the bot has sent an activity matching {@code p}; returns its id. */
    public String awaitActivity(Predicate<ObjectNode> p, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            for (Map.Entry<String, ObjectNode> e : activities.entrySet()) {
                if (p.test(e.getValue())) {
                    return e.getKey();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no activity matched within " + timeoutMillis + " ms; activities: " + activities.keySet());
            }
            Thread.sleep(10);
        }
    }

    public List<Call> calls(String method, String pathPart) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.method().equals(method) && c.path().contains(pathPart)).toList();
        }
    }

    /** Waits for a call matching {@code p}. */
    public Call await(Predicate<Call> p, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (calls) {
            while (true) {
                for (Call c : calls) {
                    if (p.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no call matched within " + timeoutMillis + " ms; calls: " + calls);
                }
                TimeUnit.NANOSECONDS.timedWait(calls, left);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- deliveries

    /** An {@code adaptiveCard/action} invoke as Teams sends it when {@code from} presses an Action.Execute button. */
    public ObjectNode invoke(Member from, String replyToId, String verb, Map<String, String> data) {
        ObjectNode a = json.createObjectNode();
        String id = "f:" + UUID.randomUUID();
        a.put("type", "invoke");
        a.put("name", "adaptiveCard/action");
        a.put("id", id);
        a.put("timestamp", Instant.now().toString());
        a.put("localTimestamp", Instant.now().toString());
        a.put("serviceUrl", serviceUrl());
        a.put("channelId", "msteams");
        ObjectNode f = a.putObject("from");
        f.put("id", from.id());
        f.put("name", from.name());
        f.put("aadObjectId", from.aadObjectId());
        ObjectNode conv = a.putObject("conversation");
        conv.put("isGroup", true);
        conv.put("conversationType", "channel");
        conv.put("tenantId", TENANT); // the conversation's tenant; a member of another one (shared channel) says so in its member record
        conv.put("id", CONVERSATION + ";messageid=" + replyToId);
        ObjectNode r = a.putObject("recipient");
        r.put("id", "28:" + APP_ID);
        r.put("name", "Airlock");
        a.put("replyToId", replyToId);
        ObjectNode cd = a.putObject("channelData");
        cd.putObject("tenant").put("id", TENANT);
        cd.putObject("channel").put("id", CONVERSATION);
        cd.putObject("source").put("name", "message");
        ObjectNode value = a.putObject("value");
        ObjectNode action = value.putObject("action");
        action.put("type", "Action.Execute");
        action.put("verb", verb);
        ObjectNode d = action.putObject("data");
        data.forEach(d::put);
        value.put("trigger", "manual");
        return a;
    }

    /** The claims the Bot Framework puts in a delivery's token for {@code activity}. */
    public JWTClaimsSet.Builder claims(JsonNode activity) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(APP_ID)
                .notBeforeTime(Date.from(now.minusSeconds(300))).expirationTime(Date.from(now.plusSeconds(3600)))
                .claim("serviceurl", activity.path("serviceUrl").asText());
    }

    /** {@code Bearer <token>} signed with the published, msteams-endorsed key. */
    public String authorization(JsonNode activity) {
        return "Bearer " + sign(claims(activity).build(), signingKey);
    }

    /** A token signed with a published key endorsed only for {@code webchat}. */
    public String unendorsedAuthorization(JsonNode activity) {
        return "Bearer " + sign(claims(activity).build(), unendorsedKey);
    }

    /** Signs {@code claims} with a key nobody published, under the published key's id. */
    public static String forged(JWTClaimsSet claims) {
        try {
            return sign(claims, new RSAKeyGenerator(2048).keyID("bf-key-1").generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String signed(JWTClaimsSet claims) {
        return sign(claims, signingKey);
    }

    private static String sign(JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts {@code activity} to a messaging endpoint with a good token. */
    public HttpResponse<String> deliver(URI endpoint, JsonNode activity) throws IOException, InterruptedException {
        return deliver(endpoint, activity, authorization(activity));
    }

    public HttpResponse<String> deliver(URI endpoint, JsonNode activity, String authorization)
            throws IOException, InterruptedException {
        return deliverRaw(endpoint, json.writeValueAsBytes(activity), authorization);
    }

    public HttpResponse<String> deliverRaw(URI endpoint, byte[] body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------------------------------- server side

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            byte[] raw = ex.getRequestBody().readAllBytes();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (path.equals("/v1/.well-known/openidconfiguration")) {
                ObjectNode m = json.createObjectNode();
                m.put("issuer", ISSUER);
                m.put("authorization_endpoint", "https://invalid.botframework.com");
                m.put("jwks_uri", baseUrl() + "/v1/.well-known/keys");
                m.putArray("id_token_signing_alg_values_supported").add("RS256");
                m.putArray("token_endpoint_auth_methods_supported").add("private_key_jwt");
                send(ex, 200, m);
                return;
            }
            if (path.equals("/v1/.well-known/keys")) {
                keyFetches.incrementAndGet();
                ObjectNode keys = json.createObjectNode();
                var list = keys.putArray("keys");
                ObjectNode k1 = (ObjectNode) json.readTree(signingKey.toPublicJWK().toJSONString());
                k1.put("use", "sig");
                k1.putArray("endorsements").add("msteams").add("emulator");
                list.add(k1);
                ObjectNode k2 = (ObjectNode) json.readTree(unendorsedKey.toPublicJWK().toJSONString());
                k2.put("use", "sig");
                k2.putArray("endorsements").add("webchat");
                list.add(k2);
                send(ex, 200, keys);
                return;
            }
            JsonNode body = raw.length == 0 ? null : parse(raw);
            if (method.equals("POST") && path.endsWith("/oauth2/v2.0/token")) {
                record(new Call(method, path, null, null));
                token(ex, path, new String(raw, StandardCharsets.UTF_8));
                return;
            }
            record(new Call(method, path, auth, body));
            for (Map.Entry<String, Integer> e : rateLimitNext.entrySet()) {
                if (path.contains(e.getKey()) && rateLimitNext.remove(e.getKey(), e.getValue())) {
                    ex.getResponseHeaders().add("Retry-After", String.valueOf(e.getValue()));
                    send(ex, 429, error("TooManyRequests", "rate limited"));
                    return;
                }
            }
            if (!("Bearer " + token).equals(auth)) {
                send(ex, 401, error("Unauthorized", "Authorization has been denied for this request."));
                return;
            }
            String[] seg = path.split("/");
            // /v3/conversations/{conversation}/activities[/{id}] or /v3/conversations/{conversation}/members/{id}
            if (seg.length < 5 || !seg[1].equals("v3") || !seg[2].equals("conversations")) {
                send(ex, 404, error("NotFound", path));
                return;
            }
            String conversation = URLDecoder.decode(seg[3], StandardCharsets.UTF_8);
            if (!conversation.equals(CONVERSATION)) {
                send(ex, 404, error("ConversationNotFound", "Conversation not found."));
                return;
            }
            if (seg[4].equals("members") && seg.length == 6 && method.equals("GET")) {
                Member m = members.get(URLDecoder.decode(seg[5], StandardCharsets.UTF_8));
                if (m == null) {
                    send(ex, 404, error("MemberNotFoundInConversation", "The member was not found in the conversation."));
                    return;
                }
                ObjectNode n = json.createObjectNode();
                n.put("id", m.id());
                n.put("name", m.name());
                n.put("aadObjectId", m.aadObjectId());
                if (m.email() != null) {
                    n.put("email", m.email());
                    n.put("userPrincipalName", m.email());
                }
                n.put("tenantId", m.tenantId());
                n.put("userRole", m.userRole());
                send(ex, 200, n);
                return;
            }
            if (seg[4].equals("activities") && body instanceof ObjectNode activity) {
                if (seg.length == 5 && method.equals("POST")) {
                    String id = "1:" + counter.incrementAndGet();
                    activities.put(id, activity);
                    send(ex, 201, json.createObjectNode().put("id", id));
                    return;
                }
                if (seg.length == 6) {
                    String id = URLDecoder.decode(seg[5], StandardCharsets.UTF_8);
                    if (!activities.containsKey(id)) {
                        send(ex, 404, error("ActivityNotFoundInConversation", "The activity was not found."));
                        return;
                    }
                    if (method.equals("PUT")) {
                        activities.put(id, activity);
                        send(ex, 200, json.createObjectNode().put("id", id));
                        return;
                    }
                    if (method.equals("POST")) {
                        String reply = "1:" + counter.incrementAndGet();
                        activities.put(reply, activity);
                        send(ex, 201, json.createObjectNode().put("id", reply));
                        return;
                    }
                }
            }
            send(ex, 400, error("BadArgument", method + " " + path));
        }
    }

    private void token(HttpExchange ex, String path, String form) throws IOException {
        Map<String, String> f = new ConcurrentHashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                f.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!path.equals("/" + TENANT + "/oauth2/v2.0/token")) {
            ObjectNode e = json.createObjectNode().put("error", "invalid_tenant").put("error_description", "AADSTS90002: Tenant not found.");
            send(ex, 400, e);
            return;
        }
        if (!"client_credentials".equals(f.get("grant_type")) || !"https://api.botframework.com/.default".equals(f.get("scope"))) {
            send(ex, 400, json.createObjectNode().put("error", "invalid_request"));
            return;
        }
        if (!APP_ID.equals(f.get("client_id")) || !APP_PASSWORD.equals(f.get("client_secret"))) {
            send(ex, 401, json.createObjectNode().put("error", "invalid_client")
                    .put("error_description", "AADSTS7000215: Invalid client secret provided."));
            return;
        }
        tokensIssued.incrementAndGet();
        String t = "bf-token-" + counter.incrementAndGet();
        token = t;
        send(ex, 200, json.createObjectNode().put("token_type", "Bearer").put("expires_in", 3599)
                .put("ext_expires_in", 3599).put("access_token", t));
    }

    private ObjectNode error(String code, String message) {
        ObjectNode e = json.createObjectNode();
        e.putObject("error").put("code", code).put("message", message);
        return e;
    }

    private JsonNode parse(byte[] raw) {
        try {
            return json.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    private void record(Call c) {
        synchronized (calls) {
            calls.add(c);
            calls.notifyAll();
        }
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = json.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
