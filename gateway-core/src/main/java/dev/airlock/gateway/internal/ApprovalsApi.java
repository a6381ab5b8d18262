package dev.airlock.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.HttpReply;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.approvals.Vote;
import dev.airlock.approvals.VoteResult;
import dev.airlock.gateway.identity.TokenRejectedException;
import dev.airlock.gateway.identity.TokenVerifier;
import dev.airlock.policy.Identity;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The approvals REST API, {@code /api/v1/approvals}: list the pending requests the caller may vote on, show one
 * (to its approvers and its own requester chain), approve, deny. Every call carries an OIDC bearer token verified
 * like an agent's; who may vote is decided by {@link ApprovalService}, as for every channel. Runs on
 * a blocking executor (it reads the lineage store), never on an event loop.
 */
public final class ApprovalsApi {

    public static final String PREFIX = "/api/v1/approvals";
    private static final int MAX_BODY = 16 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final ApprovalService approvals;
    private final TokenVerifier verifier;

    public ApprovalsApi(ApprovalService approvals, TokenVerifier verifier) {
        this.approvals = approvals;
        this.verifier = verifier;
    }

    /** The header the {@code airlock approvals} CLI sends, so lineage says {@code cli} rather than {@code rest}. */
    public static final String CLIENT_HEADER = "X-Airlock-Client";

    public HttpReply handle(String method, String path, String authorization, byte[] body) {
        return handle(method, path, authorization, body, null);
    }

    /** @param client the {@value #CLIENT_HEADER} header, or {@code null} */
    public HttpReply handle(String method, String path, String authorization, byte[] body, String client) {
        Identity who;
        try {
            who = authenticate(authorization);
        } catch (TokenRejectedException e) {
            return problem(401, "unauthenticated", e.getMessage());
        }
        String rest = path.substring(PREFIX.length());
        if (rest.isEmpty() || rest.equals("/")) {
            if (!method.equals("GET")) {
                return problem(405, "method not allowed", method + " " + path + " (expected: GET)");
            }
            ArrayNode out = JSON.createArrayNode();
            // only what the caller may vote on (an agent's token lists nothing)
            for (StoredApproval s : approvals.pendingFor(who)) {
                out.add(json(s, false));
            }
            return HttpReply.json(200, out.toString());
        }
        String[] parts = rest.substring(1).split("/", -1);
        String id = parts[0];
        if (parts.length == 1) {
            if (!method.equals("GET")) {
                return problem(405, "method not allowed", method + " " + path + " (expected: GET)");
            }
            Optional<StoredApproval> s = find(id, who);
            return s.map(a -> HttpReply.json(200, json(a, true).toString()))
                    .orElseGet(() -> problem(404, "not found", "no approval request " + id + " visible to you"));
        }
        if (parts.length == 2 && (parts[1].equals("approve") || parts[1].equals("deny"))) {
            if (!method.equals("POST")) {
                return problem(405, "method not allowed", method + " " + path + " (expected: POST)");
            }
            String reason = null;
            if (body.length > 0) {
                try {
                    JsonNode b = JSON.readTree(body);
                    if (b == null || !b.isObject()) {
                        return problem(400, "bad request", "body: (expected: {\"reason\": \"…\"} or empty)");
                    }
                    if (b.has("reason") && !b.get("reason").isNull() && !b.get("reason").isTextual()) {
                        return problem(400, "bad request", "reason: (expected: a string)");
                    }
                    reason = b.hasNonNull("reason") ? b.get("reason").asText() : null;
                } catch (IOException e) {
                    return problem(400, "bad request", "body: not JSON (expected: {\"reason\": \"…\"} or empty)");
                }
            }
            if (body.length > MAX_BODY) {
                return problem(413, "body too large", "body: " + body.length + " bytes (expected: <= " + MAX_BODY + ")");
            }
            if (find(id, null).isEmpty()) {
                return problem(404, "not found", "no approval request " + id);
            }
            VoteResult r = approvals.vote(id, who, parts[1].equals("approve") ? Vote.APPROVE : Vote.DENY, reason,
                    "cli".equals(client) ? "cli" : "rest");
            ObjectNode out = JSON.createObjectNode();
            out.put("request_id", r.requestId()).put("accepted", r.accepted()).put("state", r.state().wireName())
                    .put("message", r.message());
            if (r.rejection() != null) {
                out.put("rejection", r.rejection().name().toLowerCase(java.util.Locale.ROOT));
                int status = switch (r.rejection()) {
                    case NOT_FOUND -> 404;
                    case ALREADY_DECIDED, EXPIRED, ALREADY_VOTED -> 409;
                    default -> 403;
                };
                out.put("type", "about:blank").put("title", "vote refused").put("status", status).put("detail", r.message());
                return new HttpReply(status, "application/problem+json", out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HttpReply.json(200, out.toString());
        }
        return problem(404, "not found", path);
    }

    /** @param viewer who looks, or {@code null} for a plain existence check before a vote */
    private Optional<StoredApproval> find(String id, Identity viewer) {
        try {
            java.util.UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return viewer == null ? approvals.find(id) : approvals.findFor(id, viewer);
    }

    private Identity authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenRejectedException(dev.airlock.gateway.identity.TokenRejection.MALFORMED, "expected: Authorization: Bearer <token>");
        }
        try {
            return verifier.verify(authorization.substring(7).trim()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof TokenRejectedException t) {
                throw t;
            }
            throw new TokenRejectedException(dev.airlock.gateway.identity.TokenRejection.KEYS_UNAVAILABLE, null, e.getCause());
        } catch (TimeoutException e) {
            throw new TokenRejectedException(dev.airlock.gateway.identity.TokenRejection.KEYS_UNAVAILABLE, "verification timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRejectedException(dev.airlock.gateway.identity.TokenRejection.KEYS_UNAVAILABLE, "interrupted");
        }
    }

    private ObjectNode json(StoredApproval s, boolean full) {
        ApprovalRequest r = s.request();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", r.id()).put("state", s.state().wireName()).put("requester", r.requester().subject());
        ArrayNode chain = o.putArray("actors"); // the delegation chain: who acts for the requester
        r.requester().actors().forEach(a -> chain.add(a.subject()));
        o.put("connection", r.connection()).put("statement", r.actionText()).put("profile", r.profile().name())
                .put("quorum", r.profile().quorum()).put("created_at", r.createdAt().toString())
                .put("expires_at", r.expiresAt().toString());
        ArrayNode rules = o.putArray("rules");
        r.ruleIds().forEach(rules::add);
        o.put("explanation", r.explanation());
        o.put("stated_reason", r.statedReason()); // the agent's own words: unverified
        if (full) {
            o.put("policy_version", r.policyVersion());
            ArrayNode groups = o.putArray("approver_groups");
            r.profile().approvers().groups().stream().sorted().forEach(groups::add);
            ArrayNode users = o.putArray("approver_users");
            r.profile().approvers().users().stream().sorted().forEach(users::add);
            ArrayNode channels = o.putArray("channels");
            r.profile().channels().forEach(channels::add);
            o.put("decided_by", s.decidedBy()).put("reason", s.reason())
                    .put("decided_at", s.decidedAt() == null ? null : s.decidedAt().toString());
            ArrayNode targets = o.putArray("targets");
            r.targets().forEach(targets::add);
        }
        return o;
    }

    static HttpReply problem(int status, String title, String detail) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "about:blank").put("title", title).put("status", status).put("detail", detail);
        return new HttpReply(status, "application/problem+json", o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
