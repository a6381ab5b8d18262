package dev.airlock.approvals;

/** Why a vote was refused; each has a message shown to the voter and recorded in lineage. */
public enum VoteRejection {
    NOT_FOUND("no such approval request"),
    ALREADY_DECIDED("the request was already decided"),
    EXPIRED("the request expired before this vote"),
    ALREADY_VOTED("you already voted on this request"),
    NOT_APPROVER("you are not an approver for this request"),
    SELF_APPROVAL("you are in the requester's delegation chain and cannot vote on this request"),
    DELEGATED_VOTER("a delegated (agent) token cannot vote"),
    UNMAPPED_USER("your chat account is not mapped to an Airlock identity"),
    BOT_USER("bots cannot vote"),
    DEACTIVATED_USER("deactivated accounts cannot vote"),
    RESTRICTED_USER("guest and restricted accounts cannot vote"),
    FOREIGN_USER("accounts from another workspace cannot vote");

    private final String message;

    VoteRejection(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
