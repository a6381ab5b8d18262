package dev.airlock.approvals;

import java.util.concurrent.CompletableFuture;

/**
 * The stage {@link ApprovalService#request} returns: completes with the outcome; cancelling it
 * (the agent went away) cancels the request. Carries the request id for "waiting" notices.
 */
public final class PendingApproval extends CompletableFuture<ApprovalOutcome> {

    private final String requestId;

    PendingApproval(String requestId) {
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }
}
