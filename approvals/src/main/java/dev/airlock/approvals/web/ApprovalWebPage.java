package dev.airlock.approvals.web;

import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.HttpCall;
import dev.airlock.approvals.HttpReply;
import dev.airlock.approvals.PlainHttpHandler;
import dev.airlock.approvals.RejectedDelivery;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.approvals.Vote;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.approvals.VoteResult;
import dev.airlock.policy.Identity;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval web page on the admin listener, under {@value #PREFIX}:
 *
 * <ul>
 *   <li>{@code GET /approvals}: the pending requests the signed-in person may vote on;</li>
 *   <li>{@code GET /approvals/{id}}: one request, with Approve / Deny forms when the viewer may vote;</li>
 *   <li>{@code POST /approvals/{id}/approve}, {@code POST /approvals/{id}/deny} (field {@code reason}): votes, each
 *       with the session's CSRF token; same eligibility rules as every channel;</li>
 *   <li>{@code GET /approvals/signin}, {@code GET /approvals/callback}: OIDC authorization code flow with PKCE
 *       ({@code S256}), {@code state} bound to a short-lived cookie, {@code nonce} bound into the ID token;</li>
 *   <li>{@code POST /approvals/signout}.</li>
 * </ul>
 *
 * <p>GET never changes an approval (link scanners and prefetchers fetch URLs). The session is the access token
 * in an {@code HttpOnly}, {@code SameSite=Lax} cookie ({@code Secure} and {@code __Host-} over https), verified
 * again on every request, so any replica can serve any request and the session ends with the token. A POST is
 * accepted only with the CSRF token derived from that session (SHA-256 of a label and the token, never stored)
 * and, when the browser sends one, an {@code Origin} equal to the page's; a refused POST is recorded in lineage.
 */
public final class ApprovalWebPage implements PlainHttpHandler {

    private static final Logger log = LoggerFactory.getLogger(ApprovalWebPage.class);

    public static final String PREFIX = "/approvals";
    static final String CHANNEL = "web";
    private static final int TEXT_MAX = 4000;
    private static final int REASON_MAX = 500;
    private static final Duration LOGIN_TTL = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final ApprovalService service;
    private final WebSignIn signIn;
    private final URI baseUrl;
    private final String origin;
    private final boolean secure;
    private final String sessionCookie;
    private final String loginCookie;
    private final String cookiePath;
    private final Clock clock;

    /**
     * @param baseUrl the page's public URL (scheme, host, port), as browsers reach it; the callback is
     *                {@code baseUrl + /approvals/callback}
     */
    public ApprovalWebPage(ApprovalService service, WebSignIn signIn, URI baseUrl, Clock clock) {
        this.service = Objects.requireNonNull(service, "service");
        this.signIn = Objects.requireNonNull(signIn, "signIn");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (baseUrl.getScheme() == null || baseUrl.getHost() == null
                || !(baseUrl.getScheme().equals("https") || baseUrl.getScheme().equals("http"))) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: an http(s) URL)");
        }
        if (baseUrl.getPath() != null && !baseUrl.getPath().isEmpty() && !baseUrl.getPath().equals("/")) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: no path; the page is at " + PREFIX + ")");
        }
        this.baseUrl = URI.create(baseUrl.getScheme() + "://" + baseUrl.getRawAuthority());
        this.origin = this.baseUrl.toString().toLowerCase(Locale.ROOT);
        this.secure = baseUrl.getScheme().equals("https");
        // __Host- cookies cannot be planted by a sibling domain; they need Secure and Path=/
        this.sessionCookie = secure ? "__Host-airlock_session" : "airlock_session";
        this.loginCookie = secure ? "__Host-airlock_login" : "airlock_login";
        this.cookiePath = secure ? "/" : PREFIX;
    }

    /** Where the provider sends the browser back. */
    public URI redirectUri() {
        return URI.create(baseUrl + PREFIX + "/callback");
    }

    @Override
    public HttpReply handle(HttpCall call) {
        try {
            return route(call);
        } catch (RuntimeException e) {
            log.warn("approval web page: {} {} failed", call.method(), call.path(), e);
            return page(500, "Something went wrong", "<p>Airlock could not answer. See the Airlock log.</p>", null);
        }
    }

    private HttpReply route(HttpCall call) {
        String rest = call.path().substring(PREFIX.length());
        if (rest.endsWith("/") && rest.length() > 1) {
            rest = rest.substring(0, rest.length() - 1);
        }
        boolean get = call.method().equals("GET") || call.method().equals("HEAD");
        switch (rest) {
            case "", "/" -> {
                return get ? list(call) : methodNotAllowed("GET");
            }
            case "/signin" -> {
                return get ? signin(call.query("return")) : methodNotAllowed("GET");
            }
            case "/callback" -> {
                return get ? callback(call) : methodNotAllowed("GET");
            }
            case "/signout" -> {
                return call.method().equals("POST") ? signout(call) : methodNotAllowed("POST");
            }
            default -> {
                // /{id} or /{id}/approve|deny
                String[] parts = rest.substring(1).split("/", -1);
                if (parts.length == 1 && isId(parts[0])) {
                    return get ? show(call, parts[0], null, 200) : methodNotAllowed("GET");
                }
                if (parts.length == 2 && isId(parts[0]) && (parts[1].equals("approve") || parts[1].equals("deny"))) {
                    return call.method().equals("POST") ? vote(call, parts[0], parts[1].equals("approve") ? Vote.APPROVE : Vote.DENY)
                            : methodNotAllowed("POST");
                }
                return page(404, "Not found", "<p>No such page. <a href=\"" + PREFIX + "\">Pending requests</a></p>", null);
            }
        }
    }

    // ------------------------------------------------------------------ pages

    private HttpReply list(HttpCall call) {
        Optional<Session> s = session(call);
        if (s.isEmpty()) {
            return toSignIn(PREFIX);
        }
        Identity me = s.get().identity;
        StringBuilder b = new StringBuilder();
        List<StoredApproval> mine = service.pendingFor(me);
        if (mine.isEmpty()) {
            b.append("<p>Nothing is waiting for you.</p>");
        } else {
            b.append("<table><thead><tr><th>Request</th><th>Requester</th><th>Connection</th><th>Action</th><th>Expires</th>"
                    + "</tr></thead><tbody>");
            for (StoredApproval a : mine) {
                ApprovalRequest r = a.request();
                b.append("<tr><td><a href=\"").append(PREFIX).append('/').append(r.id()).append("\">")
                        .append(esc(r.id().substring(0, 8))).append("</a></td><td>").append(esc(requester(r)))
                        .append("</td><td>").append(esc(r.connection())).append("</td><td><code>")
                        .append(esc(shorten(r.actionText(), 120))).append("</code></td><td>")
                        .append(esc(DateTimeFormatter.ISO_INSTANT.format(r.expiresAt()))).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return page(200, "Pending approval requests", b.toString(), s.get());
    }

    private HttpReply show(HttpCall call, String id, VoteResult result, int status) {
        Optional<Session> s = session(call);
        if (s.isEmpty()) {
            return toSignIn(PREFIX + "/" + id);
        }
        Identity me = s.get().identity;
        Optional<StoredApproval> found = service.findFor(id, me);
        if (found.isEmpty()) {
            return page(404, "Not found", "<p>No approval request " + esc(id) + " is visible to you.</p>", s.get());
        }
        StoredApproval a = found.get();
        ApprovalRequest r = a.request();
        VoteRejection why = service.eligibility(a, me);
        StringBuilder b = new StringBuilder();
        if (result != null) {
            b.append("<p class=\"").append(result.accepted() ? "ok" : "refused").append("\">")
                    .append(result.accepted() ? "" : "Your vote was not counted: ").append(esc(result.message())).append("</p>");
        }
        b.append("<dl>");
        dt(b, "State", a.state().wireName());
        dt(b, "Requester", requester(r));
        dt(b, "Acting for", r.requester().isDelegated() ? display(r.requester()) : "—");
        dt(b, "Connection", r.connection() + (r.targets().isEmpty() ? "" : " · " + String.join(", ", r.targets())));
        dt(b, "Rule", String.join(", ", r.ruleIds()));
        if (!r.explanation().isEmpty()) {
            dt(b, "Why", r.explanation());
        }
        if (r.statedReason() != null && !r.statedReason().isBlank()) {
            dt(b, "Agent's stated reason (unverified)", r.statedReason());
        }
        if (r.impact() != null && !r.impact().isBlank()) {
            dt(b, "Impact", r.impact());
        }
        dt(b, "Profile", r.profile().name() + " (quorum " + r.profile().quorum() + ")");
        dt(b, "Expires", DateTimeFormatter.ISO_INSTANT.format(r.expiresAt()));
        if (a.state().isFinal()) {
            dt(b, "Outcome", service.outcome(id).map(ApprovalOutcome::describe).orElse(a.state().wireName()));
        }
        b.append("</dl><pre><code>").append(esc(shorten(r.actionText(), TEXT_MAX))).append("</code></pre>");
        if (!a.state().isFinal()) {
            if (why == null) {
                String csrf = csrf(s.get().token);
                b.append("<form method=\"post\" action=\"").append(PREFIX).append('/').append(r.id()).append("/approve\">")
                        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(csrf).append("\">")
                        .append("<button type=\"submit\" class=\"approve\">Approve</button></form>")
                        .append("<form method=\"post\" action=\"").append(PREFIX).append('/').append(r.id()).append("/deny\">")
                        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(csrf).append("\">")
                        .append("<label>Reason <input name=\"reason\" maxlength=\"").append(REASON_MAX)
                        .append("\" required></label> <button type=\"submit\" class=\"deny\">Deny</button></form>");
            } else {
                b.append("<p>").append(esc(why.message())).append(".</p>");
            }
        }
        b.append("<p><a href=\"").append(PREFIX).append("\">All pending requests</a></p>");
        return page(status, "Approval request " + r.id().substring(0, 8), b.toString(), s.get());
    }

    private HttpReply vote(HttpCall call, String id, Vote vote) {
        Optional<Session> s = session(call);
        if (s.isEmpty()) {
            return forged(call, id, null, "not signed in (no valid session)", 401);
        }
        String forgery = forgery(call, s.get());
        if (forgery != null) {
            return forged(call, id, s.get().identity.subject(), forgery, 403);
        }
        Map<String, String> form = call.formBody();
        String reason = form.get("reason");
        if (reason != null) {
            reason = reason.strip();
            if (reason.length() > REASON_MAX) {
                reason = reason.substring(0, REASON_MAX);
            }
        }
        if (vote == Vote.DENY && (reason == null || reason.isEmpty())) {
            reason = null;
        }
        VoteResult r = service.vote(id, s.get().identity, vote, reason, CHANNEL);
        int status = r.accepted() ? 200 : switch (r.rejection()) {
            case NOT_FOUND -> 404;
            case ALREADY_DECIDED, EXPIRED, ALREADY_VOTED -> 409;
            default -> 403;
        };
        return show(call, id, r, status);
    }

    private HttpReply signout(HttpCall call) {
        Optional<Session> s = session(call);
        if (s.isPresent()) {
            String forgery = forgery(call, s.get());
            if (forgery != null) {
                return forged(call, null, s.get().identity.subject(), forgery, 403);
            }
        }
        return page(200, "Signed out", "<p>You are signed out. <a href=\"" + PREFIX + "/signin\">Sign in again</a></p>", null)
                .withHeader("Set-Cookie", clear(sessionCookie));
    }

    // ------------------------------------------------------------------ sign-in

    private HttpReply signin(String returnTo) {
        String target = safeReturn(returnTo);
        String state = random(32);
        String nonce = random(32);
        String verifier = random(48); // 64 characters of base64url (RFC 7636: 43-128)
        URI to;
        try {
            to = signIn.authorizationUrl(state, nonce, challenge(verifier), redirectUri());
        } catch (WebSignIn.SignInException e) {
            return page(502, "Sign-in unavailable", "<p>" + esc(e.getMessage()) + "</p>", null);
        }
        String value = state + "." + nonce + "." + verifier + "." + B64.encodeToString(target.getBytes(StandardCharsets.UTF_8));
        return new HttpReply(303, null, new byte[0]).withHeader("Location", to.toString())
                .withHeader("Cache-Control", "no-store")
                .withHeader("Set-Cookie", cookie(loginCookie, value, LOGIN_TTL.toSeconds()));
    }

    private HttpReply callback(HttpCall call) {
        String login = call.cookie(loginCookie);
        String[] parts = login == null ? new String[0] : login.split("\\.", -1);
        String error = call.query("error");
        if (error != null) {
            return signInFailed("the identity provider refused the sign-in: " + shorten(error, 100), 403);
        }
        String state = call.query("state");
        String code = call.query("code");
        if (parts.length != 4 || state == null || code == null) {
            return signInFailed("this sign-in was not started here or took too long; start again", 400);
        }
        if (!MessageDigest.isEqual(parts[0].getBytes(StandardCharsets.US_ASCII), state.getBytes(StandardCharsets.US_ASCII))) {
            service.recordRejectedDelivery(new RejectedDelivery(CHANNEL, "sign-in callback with a state that does not match "
                    + "this browser's", null, null, call.remote(), null, clock.instant()));
            return signInFailed("the sign-in response does not belong to this browser; start again", 400);
        }
        WebSignIn.SignedIn in;
        try {
            in = signIn.redeem(code, parts[2], redirectUri(), parts[1]);
        } catch (WebSignIn.SignInException e) {
            log.info("approval web page: sign-in failed: {}", e.getMessage());
            return signInFailed(e.getMessage(), 403);
        }
        if (in.identity().isDelegated()) {
            return signInFailed(VoteRejection.DELEGATED_VOTER.message(), 403);
        }
        String target;
        try {
            target = safeReturn(new String(Base64.getUrlDecoder().decode(parts[3]), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            target = PREFIX;
        }
        long maxAge = Math.max(0, Duration.between(clock.instant(), in.expiresAt()).toSeconds());
        log.info("approval web page: {} signed in", in.identity().subject());
        return new HttpReply(303, null, new byte[0]).withHeader("Location", target).withHeader("Cache-Control", "no-store")
                .withHeader("Set-Cookie", clear(loginCookie))
                .withHeader("Set-Cookie", cookie(sessionCookie, in.accessToken(), maxAge));
    }

    private HttpReply signInFailed(String why, int status) {
        return page(status, "Sign-in failed", "<p>" + esc(why) + ".</p><p><a href=\"" + PREFIX + "/signin\">Sign in</a></p>", null)
                .withHeader("Set-Cookie", clear(loginCookie));
    }

    private HttpReply toSignIn(String returnTo) {
        return new HttpReply(303, null, new byte[0])
                .withHeader("Location", PREFIX + "/signin?return=" + java.net.URLEncoder.encode(returnTo, StandardCharsets.UTF_8))
                .withHeader("Cache-Control", "no-store");
    }

    /** Only paths of this page: never another site (open redirect) or a scheme-relative {@code //host}. */
    static String safeReturn(String r) {
        if (r == null || !r.startsWith(PREFIX) || r.startsWith("//") || r.contains("\\") || r.contains("\r") || r.contains("\n")
                || r.startsWith(PREFIX + "/signin") || r.startsWith(PREFIX + "/callback")) {
            return PREFIX;
        }
        String rest = r.substring(PREFIX.length());
        return rest.isEmpty() || rest.startsWith("/") ? r : PREFIX;
    }

    // ------------------------------------------------------------------ session and CSRF

    private record Session(String token, Identity identity) {
    }

    private Optional<Session> session(HttpCall call) {
        String token = call.cookie(sessionCookie);
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try {
            Identity id = signIn.verify(token);
            return id.isDelegated() ? Optional.empty() : Optional.of(new Session(token, id));
        } catch (WebSignIn.SignInException e) {
            log.debug("approval web page: session token refused: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Why a state-changing POST is not the signed-in person's own, or {@code null} when it is. */
    private String forgery(HttpCall call, Session s) {
        String contentType = call.header("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return "Content-Type: " + shorten(String.valueOf(contentType), 80) + " (expected: application/x-www-form-urlencoded)";
        }
        String o = call.header("Origin");
        if (o != null && !o.equalsIgnoreCase(origin)) {
            return "Origin: " + shorten(o, 100) + " (expected: " + origin + ")";
        }
        String site = call.header("Sec-Fetch-Site");
        if (site != null && !(site.equals("same-origin") || site.equals("none"))) {
            return "Sec-Fetch-Site: " + shorten(site, 40) + " (expected: same-origin)";
        }
        String given = call.formBody().get("csrf");
        if (given == null || !MessageDigest.isEqual(csrf(s.token).getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII))) {
            return "CSRF token missing or wrong";
        }
        return null;
    }

    private HttpReply forged(HttpCall call, String id, String subject, String why, int status) {
        log.warn("approval web page: POST {} from {} refused: {}", call.path(), call.remote(), why);
        service.recordRejectedDelivery(new RejectedDelivery(CHANNEL, why, id, subject, call.remote(), digest(call.body()),
                clock.instant()));
        return page(status, "Refused", "<p>" + esc(why) + ". Nothing was changed. <a href=\"" + PREFIX
                + (id == null ? "" : "/" + id) + "\">Reload the page</a> and try again.</p>", null);
    }

    /** The session's CSRF token: derived from the session token, so it needs no storage and no shared key. */
    static String csrf(String sessionToken) {
        return B64.encodeToString(sha256(("airlock-web-csrf\0" + sessionToken).getBytes(StandardCharsets.UTF_8)));
    }

    static String challenge(String verifier) {
        return B64.encodeToString(sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String digest(byte[] b) {
        return java.util.HexFormat.of().formatHex(sha256(b));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    private String cookie(String name, String value, long maxAgeSeconds) {
        return name + "=" + value + "; Path=" + cookiePath + "; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : "");
    }

    private String clear(String name) {
        return cookie(name, "", 0);
    }

    // ------------------------------------------------------------------ HTML

    private HttpReply page(int status, String title, String body, Session s) {
        StringBuilder h = new StringBuilder(2048);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append(" · Airlock</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}code,pre{font-family:ui-monospace,monospace}")
                .append("pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap;word-break:break-all}table{border-collapse:collapse}")
                .append("td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}dt{font-weight:bold}")
                .append("form{display:inline-block;margin-right:1rem}.ok{color:#060}.refused{color:#a00}")
                .append("button.approve{background:#2a7;color:#fff}button.deny{background:#c33;color:#fff}")
                .append("</style></head><body><header><strong>Airlock approvals</strong>");
        if (s != null) {
            h.append(" · signed in as ").append(esc(display(s.identity)))
                    .append(" <form method=\"post\" action=\"").append(PREFIX).append("/signout\">")
                    .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(csrf(s.token)).append("\">")
                    .append("<button type=\"submit\">Sign out</button></form>");
        }
        h.append("</header><h1>").append(esc(title)).append("</h1>").append(body).append("</body></html>");
        return new HttpReply(status, "text/html; charset=utf-8", h.toString().getBytes(StandardCharsets.UTF_8))
                .withHeader("Cache-Control", "no-store")
                .withHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                        + "frame-ancestors 'none'; base-uri 'none'")
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Referrer-Policy", "no-referrer");
    }

    private HttpReply methodNotAllowed(String allowed) {
        return page(405, "Method not allowed", "<p>Expected " + allowed + ". Votes are cast with the page's buttons.</p>", null)
                .withHeader("Allow", allowed);
    }

    private static void dt(StringBuilder b, String label, String value) {
        b.append("<dt>").append(esc(label)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    private static String requester(ApprovalRequest r) {
        Identity who = r.requester();
        return who.isDelegated() ? who.actingSubject() + " (agent)" : display(who);
    }

    private static String display(Identity i) {
        return i.email() != null ? i.email() : i.subject();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static boolean isId(String s) {
        try {
            return UUID.fromString(s).toString().equals(s.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Escapes text for HTML element content and double- or single-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
