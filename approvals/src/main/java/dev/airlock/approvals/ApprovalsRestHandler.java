package dev.airlock.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.internal.Eligibility;
import dev.airlock.policy.Identity;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The approvals REST API for gateway-core's admin listener, behind its OIDC bearer-token check:
 * {@code GET /approvals} (pending requests the caller may vote on), {@code GET /approvals/{id}},
 * {@code POST /approvals/{id}/approve}, {@code POST /approvals/{id}/deny} with an optional
 * {@code {"reason": "…"}}. Same eligibility rules as every channel. Blocks on the store: run it off
 * any event loop. Paths are relative to where the handler is mounted.
 */
public final class ApprovalsRestHandler {

    static final String CHANNEL = "rest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;
    private static final int TEXT_MAX = 4000;

    private final ApprovalService service;

    public ApprovalsRestHandler(ApprovalService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * @param caller the approver, already authenticated by the caller of this method
     */
    public HttpReply handle(String method, String path, Identity caller, byte[] body) {
        Objects.requireNonNull(caller, "caller");
        String[] parts = path.replaceAll("/+$", "").split("/");
        // "", "approvals", id?, verb?
        if (parts.length < 2 || !parts[0].isEmpty() || !parts[1].equals("approvals") || parts.length > 4) {
            return problem(404, "not found", "path: '" + path + "' (expected: /approvals[/{id}[/approve|/deny]])");
        }
        if (parts.length == 2) {
            if (!method.equals("GET")) {
                return problem(405, "method not allowed", "method: " + method + " (expected: GET)");
            }
            ArrayNode out = JSON.createArrayNode();
            for (StoredApproval s : service.pending()) {
                if (Eligibility.check(s.request().profile(), s.request().requester(), caller) == null) {
                    out.add(render(s));
                }
            }
            return HttpReply.json(200, out.toString());
        }
        String id = parts[2];
        if (parts.length == 3) {
            if (!method.equals("GET")) {
                return problem(405, "method not allowed", "method: " + method + " (expected: GET)");
            }
            Optional<StoredApproval> s = service.find(id);
            // requests are visible to their approvers and their own requester chain, nobody else
            if (s.isEmpty() || !visible(s.get(), caller)) {
                return problem(404, "not found", "no approval request " + id + " visible to you");
            }
            return HttpReply.json(200, render(s.get()).toString());
        }
        if (!method.equals("POST")) {
            return problem(405, "method not allowed", "method: " + method + " (expected: POST)");
        }
        Vote vote;
        switch (parts[3]) {
            case "approve" -> vote = Vote.APPROVE;
            case "deny" -> vote = Vote.DENY;
            default -> {
                return problem(404, "not found", "action: '" + parts[3] + "' (expected: approve or deny)");
            }
        }
        String reason = null;
        if (body != null && body.length > 0) {
            if (body.length > MAX_BODY) {
                return problem(413, "body too large", "body: " + body.length + " bytes (expected: <= " + MAX_BODY + ")");
            }
            try {
                JsonNode n = JSON.readTree(body);
                if (n == null || !n.isObject()) {
                    return problem(400, "bad request", "body: (expected: a JSON object)");
                }
                JsonNode r = n.get("reason");
                if (r != null && !r.isNull()) {
                    if (!r.isTextual()) {
                        return problem(400, "bad request", "reason: (expected: a string)");
                    }
                    reason = r.asText();
                }
            } catch (IOException e) {
                return problem(400, "bad request", "body: not JSON");
            }
        }
        VoteResult r = service.vote(id, caller, vote, reason, CHANNEL);
        ObjectNode o = JSON.createObjectNode();
        o.put("request_id", r.requestId()).put("accepted", r.accepted()).put("state", r.state().wireName())
                .put("rejection", r.rejection() == null ? null : r.rejection().name().toLowerCase(java.util.Locale.ROOT))
                .put("message", r.message());
        int status = r.accepted() ? 200 : switch (r.rejection()) {
            case NOT_FOUND -> 404;
            case ALREADY_DECIDED, EXPIRED, ALREADY_VOTED -> 409;
            default -> 403;
        };
        return HttpReply.json(status, o.toString());
    }

    private static boolean visible(StoredApproval s, Identity caller) {
        VoteRejection why = Eligibility.check(s.request().profile(), s.request().requester(), caller);
        return why == null || why == VoteRejection.SELF_APPROVAL;
    }

    private ObjectNode render(StoredApproval s) {
        ApprovalRequest r = s.request();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", r.id()).put("state", s.state().wireName()).put("profile", r.profile().name())
                .put("requester", r.requester().subject()).put("requester_email", r.requester().email())
                .put("acting_subject", r.requester().actingSubject()).put("connection", r.connection())
                .put("protocol", r.protocol())
                .put("action", r.actionText().length() <= TEXT_MAX ? r.actionText() : r.actionText().substring(0, TEXT_MAX) + "…")
                .put("action_digest", r.actionDigest()).put("policy_version", r.policyVersion())
                .put("explanation", r.explanation()).put("stated_reason", r.statedReason()).put("impact", r.impact())
                .put("created_at", r.createdAt().toString()).put("expires_at", r.expiresAt().toString())
                .put("quorum", r.profile().quorum());
        ArrayNode rules = o.putArray("rule_ids");
        r.ruleIds().forEach(rules::add);
        if (s.state().isFinal()) {
            o.put("outcome", service.outcome(r.id()).map(ApprovalOutcome::describe).orElse(null));
        }
        return o;
    }

    private static HttpReply problem(int status, String title, String detail) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "about:blank").put("title", title).put("status", status).put("detail", detail);
        return new HttpReply(status, "application/problem+json", o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
