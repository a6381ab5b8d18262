package dev.airlock.approvals;

import java.util.Optional;

/**
 * A place that asks humans (Slack, Teams, ...). Methods may block on network calls; the service calls
 * them on its own executor, never on an event loop.
 */
public interface ApprovalChannel {

    /** The {@code kind} in a profile's {@code kind:name} channel ids, e.g. {@code slack}. */
    String kind();

    /**
     * Shows a new request to approvers at {@code target} (the part after {@code kind:}).
     *
     * @return a reference to the posted message for later updates, if any
     */
    Optional<String> post(ApprovalRequest request, String target) throws Exception;

    /** Re-notifies approvers of a request still pending. */
    void remind(ApprovalRequest request, String target, String ref) throws Exception;

    /** Replaces the buttons of a posted request with its outcome. */
    void finish(ApprovalRequest request, ApprovalOutcome outcome, String target, String ref) throws Exception;
}
