package dev.airlock.approvals.internal;

import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.policy.Identity;
import java.util.Locale;

/** Who may vote on whose request. */
public final class Eligibility {

    private Eligibility() {
    }

    /**
     * @return why {@code voter} may not vote on a request by {@code requester} under {@code profile}, or
     *         {@code null} when it may
     */
    public static VoteRejection check(ApprovalProfile profile, Identity requester, Identity voter) {
        if (voter.isDelegated()) {
            return VoteRejection.DELEGATED_VOTER;
        }
        if (inChain(requester, voter)) {
            return VoteRejection.SELF_APPROVAL;
        }
        ApprovalProfile.Approvers approvers = profile.approvers();
        for (String g : voter.groups()) {
            if (approvers.groups().contains(g)) {
                return null;
            }
        }
        if (approvers.users().contains(voter.subject())) {
            return null;
        }
        String email = normalise(voter.email());
        if (email != null) {
            for (String u : approvers.users()) {
                if (email.equals(normalise(u))) {
                    return null;
                }
            }
        }
        return VoteRejection.NOT_APPROVER;
    }

    /** Whether the voter is the requester, its principal or any actor, by subject or by email. */
    static boolean inChain(Identity requester, Identity voter) {
        if (requester.chainSubjects().contains(voter.subject())) {
            return true;
        }
        String voterEmail = normalise(voter.email());
        if (voterEmail == null) {
            return false;
        }
        if (voterEmail.equals(normalise(requester.email())) || voterEmail.equals(normalise(claim(requester.claims().get("email"))))) {
            return true;
        }
        for (Identity.Actor a : requester.actors()) {
            if (voterEmail.equals(normalise(claim(a.claims().get("email"))))) {
                return true;
            }
            // a subject that looks like an email address is compared as one too
            if (voterEmail.equals(normalise(a.subject()))) {
                return true;
            }
        }
        return voterEmail.equals(normalise(requester.subject()));
    }

    private static String claim(Object o) {
        return o instanceof String s ? s : null;
    }

    private static String normalise(String email) {
        return email == null || email.isBlank() ? null : email.trim().toLowerCase(Locale.ROOT);
    }
}
