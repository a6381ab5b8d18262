package dev.airlock.approvals;

import dev.airlock.policy.Identity;
import java.util.Optional;

/** Finds the Airlock identity of a person by a verified email address (chat channels use it to map clickers). */
@FunctionalInterface
public interface ApproverDirectory {

    Optional<Identity> byEmail(String email);

    /** The issuer of identities that come from configuration ({@code approvals.directory}) rather than a token. */
    String ISSUER = "airlock:approvals.directory";

    static ApproverDirectory none() {
        return email -> Optional.empty();
    }

    /** A directory of {@code people}, looked up by email ignoring case; people without an email are not found. */
    static ApproverDirectory of(java.util.Collection<Identity> people) {
        java.util.Map<String, Identity> byEmail = new java.util.HashMap<>();
        for (Identity p : people) {
            if (p.email() != null && byEmail.putIfAbsent(p.email().trim().toLowerCase(java.util.Locale.ROOT), p) != null) {
                throw new IllegalArgumentException("people: email " + p.email() + " twice (expected: unique emails)");
            }
        }
        java.util.Map<String, Identity> index = java.util.Map.copyOf(byEmail);
        return email -> email == null ? Optional.empty()
                : Optional.ofNullable(index.get(email.trim().toLowerCase(java.util.Locale.ROOT)));
    }
}
