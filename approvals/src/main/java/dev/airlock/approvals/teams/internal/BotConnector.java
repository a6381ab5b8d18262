package dev.airlock.approvals.teams.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bot Connector REST API (v3) for one bot: sends, updates and replies to activities and looks up conversation
 * members, with an app token from the client credentials grant (cached until shortly before it expires) and retries
 * on 429 / 5xx honouring {@code Retry-After}. Blocking: call it from the channel's worker threads only.
 */
public final class BotConnector {

    private static final Logger log = LoggerFactory.getLogger(BotConnector.class);
    /** The scope a bot asks for to call the Bot Connector. */
    public static final String SCOPE = "https://api.botframework.com/.default";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** A token is renewed this long before Entra says it expires. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final ObjectMapper json;
    private final HttpClient http;
    private final String appId;
    private final String appPassword;
    private final URI tokenEndpoint;
    private final int maxAttempts;
    private final Duration maxRetryAfter;
    private final Clock clock;
    private String token;
    private Instant tokenRenewAt = Instant.MIN;

    /** A call that failed for good: the HTTP status (0 for I/O), and the service's error code when it gave one. */
    public static final class BotCallException extends Exception {
        private final int status;
        private final String code;

        BotCallException(String what, int status, String code, String detail, Throwable cause) {
            super(what + ": " + (status == 0 ? "no answer" : "HTTP " + status) + (code == null ? "" : " " + code)
                    + (detail == null ? "" : " (" + detail + ")"), cause);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        /** The Bot Connector's {@code error.code} or Entra's {@code error}, or {@code null}. */
        public String code() {
            return code;
        }
    }

    public BotConnector(ObjectMapper json, String appId, String appPassword, URI loginBaseUrl, String tenant,
                        int maxAttempts, Duration maxRetryAfter, Clock clock) {
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
        this.appId = appId;
        this.appPassword = appPassword;
        this.tokenEndpoint = URI.create(withSlash(loginBaseUrl.toString()) + enc(tenant) + "/oauth2/v2.0/token");
        this.maxAttempts = maxAttempts;
        this.maxRetryAfter = maxRetryAfter;
        this.clock = clock;
    }

    /** Posts a new activity to a conversation; returns the activity id. */
    public String send(URI serviceUrl, String conversation, ObjectNode activity) throws BotCallException, InterruptedException {
        JsonNode r = call("POST", activities(serviceUrl, conversation, null), activity);
        String id = r == null ? null : r.path("id").asText(null);
        if (id == null || id.isEmpty()) {
            throw new BotCallException("send to " + conversation, 200, null, "no activity id in the answer", null);
        }
        return id;
    }

    /** Replaces an activity the bot sent (an updated card). */
    public void update(URI serviceUrl, String conversation, String activityId, ObjectNode activity)
            throws BotCallException, InterruptedException {
        activity.put("id", activityId);
        call("PUT", activities(serviceUrl, conversation, activityId), activity);
    }

    /** Replies in the thread of {@code activityId}. */
    public void reply(URI serviceUrl, String conversation, String activityId, ObjectNode activity)
            throws BotCallException, InterruptedException {
        activity.put("replyToId", activityId);
        call("POST", activities(serviceUrl, conversation, activityId), activity);
    }

    /** A member of a conversation as Teams reports it ({@code TeamsChannelAccount}), or empty when not a member. */
    public Optional<JsonNode> member(URI serviceUrl, String conversation, String memberId)
            throws BotCallException, InterruptedException {
        try {
            return Optional.ofNullable(call("GET", URI.create(withSlash(serviceUrl.toString()) + "v3/conversations/"
                    + enc(conversation) + "/members/" + enc(memberId)), null));
        } catch (BotCallException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static URI activities(URI serviceUrl, String conversation, String activityId) {
        return URI.create(withSlash(serviceUrl.toString()) + "v3/conversations/" + enc(conversation) + "/activities"
                + (activityId == null ? "" : "/" + enc(activityId)));
    }

    private JsonNode call(String method, URI uri, JsonNode body) throws BotCallException, InterruptedException {
        String what = method + " " + uri.getRawPath();
        boolean renewed = false;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token())
                    .header("Accept", "application/json");
            if (body != null) {
                b.header("Content-Type", "application/json; charset=utf-8")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt < maxAttempts) {
                    Thread.sleep(backoff(attempt).toMillis());
                    continue;
                }
                throw new BotCallException(what, 0, null, e.toString(), e);
            }
            int status = r.statusCode();
            if (status / 100 == 2) {
                return parse(r.body());
            }
            if (status == 401 && !renewed) {
                // the token was revoked or the clock is off: one fresh token, once
                renewed = true;
                invalidateToken();
                attempt--;
                continue;
            }
            if ((status == 429 || status / 100 == 5) && attempt < maxAttempts) {
                Duration wait = retryAfter(r).orElse(backoff(attempt));
                if (wait.compareTo(maxRetryAfter) <= 0) {
                    log.info("teams {}: HTTP {}, retrying in {} ms", what, status, wait.toMillis());
                    Thread.sleep(wait.toMillis());
                    continue;
                }
            }
            throw new BotCallException(what, status, errorCode(r.body()), null, null);
        }
    }

    /** The app token, fetched with the client credentials grant when there is none or it is about to expire. */
    public synchronized String token() throws BotCallException, InterruptedException {
        if (token != null && clock.instant().isBefore(tokenRenewAt)) {
            return token;
        }
        String form = "grant_type=client_credentials&client_id=" + enc(appId) + "&client_secret=" + enc(appPassword)
                + "&scope=" + enc(SCOPE);
        HttpRequest req = HttpRequest.newBuilder(tokenEndpoint).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)).build();
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new BotCallException("token from " + tokenEndpoint, 0, null, e.toString(), e);
        }
        JsonNode body = parse(r.body());
        if (r.statusCode() != 200 || body == null || !body.path("access_token").isTextual()) {
            String code = body == null ? null : body.path("error").asText(null);
            throw new BotCallException("token from " + tokenEndpoint, r.statusCode(), code,
                    body == null ? null : body.path("error_description").asText(null), null);
        }
        long expiresIn = body.path("expires_in").asLong(3600);
        token = body.get("access_token").asText();
        Duration life = Duration.ofSeconds(Math.max(0, expiresIn));
        tokenRenewAt = clock.instant().plus(life.compareTo(RENEW_BEFORE.multipliedBy(2)) > 0 ? life.minus(RENEW_BEFORE)
                : life.dividedBy(2));
        return token;
    }

    private synchronized void invalidateToken() {
        token = null;
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private String errorCode(byte[] body) {
        JsonNode n = parse(body);
        if (n == null) {
            return null;
        }
        JsonNode error = n.path("error");
        return error.isObject() ? error.path("code").asText(null) : error.asText(null);
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static Duration backoff(int attempt) {
        return Duration.ofMillis(250L << Math.min(attempt - 1, 4));
    }

    static String withSlash(String s) {
        return s.endsWith("/") ? s : s + "/";
    }

    /** Percent-encodes a path segment or form value ({@code encodeURIComponent}, as the Bot Framework SDKs do). */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
