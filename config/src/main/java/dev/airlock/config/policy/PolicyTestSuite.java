package dev.airlock.config.policy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A policy test file ({@code airlock policy test cases.yaml}): which policy files to load, named
 * connections and identities, and cases of action → expected decision. Schema: {@code docs/policy.md}.
 *
 * @param file        the test file, as named in messages
 * @param policyFiles the policy files, resolved against the test file's directory
 * @param cases       the cases, in file order
 */
public record PolicyTestSuite(String file, List<Path> policyFiles, List<Case> cases) {

    public PolicyTestSuite {
        Objects.requireNonNull(file, "file");
        policyFiles = List.copyOf(policyFiles);
        cases = List.copyOf(cases);
    }

    /** A connection as policy sees it. */
    public record ConnectionSpec(String name, String protocol, Map<String, String> labels) {
        public ConnectionSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(protocol, "protocol");
            labels = Map.copyOf(labels);
        }
    }

    /** One link of a delegation chain, current actor first. */
    public record ActorSpec(String subject, Map<String, Object> claims) {
        public ActorSpec {
            Objects.requireNonNull(subject, "subject");
            claims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        }
    }

    /** A caller: claims hold YAML values as String, Long, Double, Boolean, List and Map. */
    public record IdentitySpec(String issuer, String subject, String email, List<String> groups,
                               Map<String, Object> claims, List<ActorSpec> actors) {
        public IdentitySpec {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(subject, "subject");
            groups = List.copyOf(groups);
            claims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(claims));
            actors = List.copyOf(actors);
        }
    }

    /** One statement of a hand-written SQL analysis (for cases that do not give SQL text). */
    public record StatementSpec(String type, String kind, List<String> tablesRead, List<String> tablesWritten,
                                List<String> functions, boolean whereAbsent, String unparsedReason) {
        public StatementSpec {
            tablesRead = List.copyOf(tablesRead);
            tablesWritten = List.copyOf(tablesWritten);
            functions = List.copyOf(functions);
        }
    }

    /** The action of a case: exactly one of the protocol parts is set. */
    public sealed interface ActionSpec permits SqlText, SqlStatements, Ssh, Http {}

    public record SqlText(String text) implements ActionSpec {}

    public record SqlStatements(List<StatementSpec> statements) implements ActionSpec {
        public SqlStatements {
            statements = List.copyOf(statements);
        }
    }

    public record Ssh(String channel, String program, List<String> argv, String transfer, List<String> paths)
            implements ActionSpec {
        public Ssh {
            argv = List.copyOf(argv);
            paths = List.copyOf(paths);
        }
    }

    /** {@code body} is the JSON body as YAML values (null: no body); {@code bodyUnreadable}: a body too large or not JSON. */
    public record Http(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
                       Object body, boolean bodyUnreadable) implements ActionSpec {
        public Http {
            query = Map.copyOf(query);
            headers = Map.copyOf(headers);
        }
    }

    /**
     * What a case expects. Unset parts ({@code null}) are not checked.
     *
     * @param effect              allow, deny or require_approval
     * @param rules               the matched enforced rules, in order
     * @param profile             the approval profile
     * @param dryRun              the dry-run rules that matched, in order
     * @param explanationContains text the explanation must contain
     */
    public record Expectation(String effect, List<String> rules, String profile, List<String> dryRun,
                              String explanationContains) {
        public Expectation {
            Objects.requireNonNull(effect, "effect");
        }
    }

    public record Case(String name, SourceLocation location, IdentitySpec identity, ConnectionSpec connection,
                       Instant at, ActionSpec action, Expectation expect) {
        public Case {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(expect, "expect");
        }
    }
}
