package dev.airlock.config;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A person in {@code approvals.directory}: who a chat clicker is, since a click carries no token. Chat channels map
 * their users to these entries ({@code slack.users}, or by email); eligibility then checks the entry's subject,
 * email and groups against the approval profile, as it checks a token's.
 *
 * @param subject the person's subject, as the identity provider issues it (so they are the same person on the web
 *                page, the CLI and in chat)
 * @param email   their email, or empty
 * @param groups  their groups, as profiles name them ({@code approvers: {groups: [...]}})
 */
public record ApproverConfig(String subject, Optional<String> email, Set<String> groups) {
    public ApproverConfig {
        Checks.nonBlank(subject, "subject");
        Objects.requireNonNull(email, "email");
        groups = Set.copyOf(Checks.nonNullElements(groups, "groups"));
    }
}
