package dev.airlock.approvals;

import java.util.concurrent.CompletableFuture;

/**
 * The stage {@link ApprovalService#request} returns: completes with the outcome; cancelling it
 * (the agent went away) cancels the request. Carries the request id for "waiting" notices.
 */
public final class PendingApproval extends CompletableFuture<ApprovalOutcome> {

    private final String requestId;
    final CompletableFuture<java.util.List<String>> posted = new CompletableFuture<>();

    PendingApproval(String requestId) {
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }

    /**
     * Completes once the request is stored and shown to approvers, with the channel ids it was posted to
     * (for the agent's "waiting" notice); with an empty list when a grant window answered at once, and
     * exceptionally when the request could not be stored.
     */
    public java.util.concurrent.CompletionStage<java.util.List<String>> posted() {
        return posted.minimalCompletionStage();
    }
}
