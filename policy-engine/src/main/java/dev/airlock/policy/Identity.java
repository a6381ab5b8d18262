package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A verified caller: the token's subject, and the parties acting for it.
 *
 * <p>RFC 8693 delegation: a token whose {@code sub} is a person and whose {@code act} claim names an
 * agent means "the agent acting for the person". {@link #actors()} lists the {@code act} chain from
 * the current actor outwards (the nested {@code act.act} is the party that delegated to it, and so on).
 *
 * @param issuer  the {@code iss} of the verified token
 * @param subject the {@code sub} of the token: the principal
 * @param email   the email claim, or {@code null}
 * @param groups  groups taken from the configured claim path
 * @param claims  all claims of the token, JSON-typed (String, Number, Boolean, List, Map)
 * @param actors  the delegation chain, current actor first; empty when the subject acts for itself
 */
public record Identity(String issuer, String subject, String email, Set<String> groups,
                       Map<String, Object> claims, List<Actor> actors) {

    public Identity {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject: '' (expected: non-empty)");
        }
        groups = Set.copyOf(groups);
        claims = Map.copyOf(claims);
        actors = List.copyOf(actors);
    }

    /** An identity without delegation, claims or email; handy for tests and the CLI. */
    public static Identity of(String issuer, String subject, Set<String> groups) {
        return new Identity(issuer, subject, null, groups, Map.of(), List.of());
    }

    /** Whether someone acts on behalf of the subject. */
    public boolean isDelegated() {
        return !actors.isEmpty();
    }

    /** The party actually sending commands: the current actor, or the subject itself. */
    public String actingSubject() {
        return actors.isEmpty() ? subject : actors.get(0).subject();
    }

    /** Every subject in the delegation chain, principal first; none of them may approve this identity's requests. */
    public List<String> chainSubjects() {
        List<String> out = new ArrayList<>(actors.size() + 1);
        out.add(subject);
        for (Actor a : actors) {
            out.add(a.subject());
        }
        return out;
    }

    /** One link of an RFC 8693 {@code act} chain. */
    public record Actor(String subject, String issuer, Map<String, Object> claims) {
        public Actor {
            Objects.requireNonNull(subject, "subject");
            claims = Map.copyOf(claims);
        }
    }
}
