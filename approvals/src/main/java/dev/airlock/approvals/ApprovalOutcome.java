package dev.airlock.approvals;

import java.util.List;
import java.util.Objects;

/** How an approval request ended. */
public sealed interface ApprovalOutcome {

    String requestId();

    ApprovalState state();

    /** A one-line human rendering for cards, notices and logs. */
    String describe();

    /**
     * Quorum reached.
     *
     * @param approvers  the distinct approvers, in vote order
     * @param fromGrant  whether an earlier approval's grant window covered this request
     */
    record Approved(String requestId, List<Approver> approvers, boolean fromGrant) implements ApprovalOutcome {
        public Approved {
            Objects.requireNonNull(requestId, "requestId");
            approvers = List.copyOf(approvers);
        }

        @Override
        public ApprovalState state() {
            return ApprovalState.APPROVED;
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder(fromGrant ? "Approved (grant window) by " : "Approved by ");
            for (int i = 0; i < approvers.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(approvers.get(i).display());
            }
            return sb.toString();
        }
    }

    /** One eligible voter said no. */
    record Denied(String requestId, Approver by, String reason) implements ApprovalOutcome {
        public Denied {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(by, "by");
            reason = reason == null ? "" : reason;
        }

        @Override
        public ApprovalState state() {
            return ApprovalState.DENIED;
        }

        @Override
        public String describe() {
            return "Denied by " + by.display() + (reason.isEmpty() ? "" : ": " + reason);
        }
    }

    /** Nobody decided before the profile's timeout. */
    record Expired(String requestId) implements ApprovalOutcome {
        public Expired {
            Objects.requireNonNull(requestId, "requestId");
        }

        @Override
        public ApprovalState state() {
            return ApprovalState.EXPIRED;
        }

        @Override
        public String describe() {
            return "Expired without a decision";
        }
    }

    /** The agent went away (disconnected, cancelled the statement, or Airlock restarted). */
    record Cancelled(String requestId, String reason) implements ApprovalOutcome {
        public Cancelled {
            Objects.requireNonNull(requestId, "requestId");
            reason = reason == null ? "" : reason;
        }

        @Override
        public ApprovalState state() {
            return ApprovalState.CANCELLED;
        }

        @Override
        public String describe() {
            return "Cancelled" + (reason.isEmpty() ? "" : ": " + reason);
        }
    }
}
