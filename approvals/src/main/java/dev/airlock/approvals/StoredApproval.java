package dev.airlock.approvals;

import java.time.Instant;
import java.util.Objects;

/**
 * A request and its current state as the store holds it.
 *
 * @param request   the request
 * @param state     its state
 * @param decidedBy subject of the deciding voter (approved/denied), or {@code null}
 * @param reason    deny or cancel reason, or {@code null}
 * @param decidedAt when it left {@code pending}, or {@code null}
 */
public record StoredApproval(ApprovalRequest request, ApprovalState state, String decidedBy, String reason, Instant decidedAt) {
    public StoredApproval {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(state, "state");
    }

    public String id() {
        return request.id();
    }
}
