package dev.airlock.approvals;

import dev.airlock.policy.Identity;
import java.util.Optional;

/** Finds the Airlock identity of a person by a verified email address (chat channels use it to map clickers). */
@FunctionalInterface
public interface ApproverDirectory {

    Optional<Identity> byEmail(String email);

    static ApproverDirectory none() {
        return email -> Optional.empty();
    }
}
