package dev.airlock.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.config.Protocol;
import dev.airlock.config.policy.PolicyTestSuite;
import dev.airlock.config.policy.SourceLocation;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs the cases of a {@link PolicyTestSuite} against a compiled policy. Pure: the caller reads the
 * files and supplies the SQL analyser (needed only for cases that give SQL text).
 */
public final class PolicyTestRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CompiledPolicy policy;
    private final Function<String, SqlAnalysis> analyzer;

    /**
     * @param analyzer turns SQL text into its analysis; {@code null} makes cases with SQL text fail with
     *                 a message saying so
     */
    public PolicyTestRunner(CompiledPolicy policy, Function<String, SqlAnalysis> analyzer) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.analyzer = analyzer;
    }

    /** The outcome of one case; {@code failures} is empty when it passed. */
    public record CaseResult(String name, SourceLocation location, Decision decision, List<String> failures) {
        public CaseResult {
            failures = List.copyOf(failures);
        }

        public boolean passed() {
            return failures.isEmpty();
        }
    }

    public List<CaseResult> run(PolicyTestSuite suite) {
        List<CaseResult> out = new ArrayList<>();
        for (PolicyTestSuite.Case c : suite.cases()) {
            out.add(run(c));
        }
        return out;
    }

    public CaseResult run(PolicyTestSuite.Case c) {
        Decision d;
        try {
            d = policy.decide(identity(c.identity()), connection(c.connection()),
                    action(c.connection(), c.action(), analyzer), c.at());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new CaseResult(c.name(), c.location(), null, List.of("cannot build the action: " + e.getMessage()));
        }
        List<String> failures = new ArrayList<>();
        PolicyTestSuite.Expectation x = c.expect();
        if (!d.effect().yamlName().equals(x.effect())) {
            failures.add("effect: expected " + x.effect() + ", got " + d.effect().yamlName());
        }
        if (x.rules() != null && !x.rules().equals(d.matchedRules())) {
            failures.add("rules: expected " + x.rules() + ", got " + d.matchedRules());
        }
        if (x.profile() != null && !x.profile().equals(d.approvalProfile())) {
            failures.add("profile: expected " + x.profile() + ", got " + d.approvalProfile());
        }
        if (x.dryRun() != null) {
            List<String> got = d.dryRun().stream().map(Decision.DryRunOutcome::ruleId).toList();
            if (!x.dryRun().equals(got)) {
                failures.add("dry_run: expected " + x.dryRun() + ", got " + got);
            }
        }
        if (x.explanationContains() != null && !d.explanation().contains(x.explanationContains())) {
            failures.add("explanation: expected it to contain \"" + x.explanationContains() + "\", got \""
                    + d.explanation() + "\"");
        }
        return new CaseResult(c.name(), c.location(), d, failures);
    }

    public static Identity identity(PolicyTestSuite.IdentitySpec s) {
        List<Identity.Actor> actors = new ArrayList<>();
        for (PolicyTestSuite.ActorSpec a : s.actors()) {
            actors.add(new Identity.Actor(a.subject(), s.issuer(), nullFree(a.claims())));
        }
        return new Identity(s.issuer(), s.subject(), s.email(), Set.copyOf(s.groups()), nullFree(s.claims()), actors);
    }

    @SuppressWarnings("unchecked")
    private static <T> T nullFree(T v) {
        if (v instanceof java.util.Map<?, ?> m) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, val) -> {
                if (val != null) {
                    out.put((String) k, nullFree(val));
                }
            });
            return (T) out;
        }
        if (v instanceof List<?> l) {
            return (T) l.stream().filter(Objects::nonNull).map(PolicyTestRunner::nullFree).toList();
        }
        return v;
    }

    public static ConnectionRef connection(PolicyTestSuite.ConnectionSpec s) {
        return new ConnectionRef(s.name(), Protocol.valueOf(s.protocol().toUpperCase(Locale.ROOT)), s.labels());
    }

    /** Builds the action a case describes. */
    public static Action action(PolicyTestSuite.ConnectionSpec conn, PolicyTestSuite.ActionSpec spec,
                                Function<String, SqlAnalysis> analyzer) {
        Protocol protocol = Protocol.valueOf(conn.protocol().toUpperCase(Locale.ROOT));
        if (spec instanceof PolicyTestSuite.SqlText t) {
            if (analyzer == null) {
                throw new IllegalStateException("this build has no SQL analyser; give sql_statements instead of sql");
            }
            return new SqlAction(conn.name(), protocol, t.text(), List.of(), analyzer.apply(t.text()));
        }
        if (spec instanceof PolicyTestSuite.SqlStatements s) {
            List<SqlStatement> statements = new ArrayList<>();
            for (PolicyTestSuite.StatementSpec st : s.statements()) {
                statements.add(new SqlStatement(st.type(), SqlKind.valueOf(st.kind().toUpperCase(Locale.ROOT)),
                        tables(st.tablesRead()), tables(st.tablesWritten()),
                        Set.copyOf(st.functions().stream().map(f -> f.toLowerCase(Locale.ROOT)).toList()),
                        st.whereAbsent(), st.unparsedReason()));
            }
            String text = String.join("; ", statements.stream().map(SqlStatement::type).toList()) + " -- hand-written analysis";
            return new SqlAction(conn.name(), protocol, text, List.of(),
                    new SqlAnalysis(statements, "test"));
        }
        if (spec instanceof PolicyTestSuite.Ssh s) {
            return new SshAction(conn.name(), SshAction.ChannelType.valueOf(s.channel().toUpperCase(Locale.ROOT)),
                    s.program(), s.argv(), SshAction.Transfer.valueOf(s.transfer().toUpperCase(Locale.ROOT)), s.paths());
        }
        PolicyTestSuite.Http h = (PolicyTestSuite.Http) spec;
        JsonNode body = h.body() == null || h.bodyUnreadable() ? null : JSON.valueToTree(h.body());
        String digest = h.bodyUnreadable() ? Digests.sha256Hex("unreadable".getBytes(StandardCharsets.UTF_8))
                : body == null ? null : Digests.sha256Hex(body.toString().getBytes(StandardCharsets.UTF_8));
        return new HttpAction(conn.name(), h.method(), conn.name(), h.path(), h.query(), h.headers(), digest, body);
    }

    private static Set<TableRef> tables(List<String> names) {
        Set<TableRef> out = new LinkedHashSet<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            out.add(dot < 0 ? new TableRef(null, n) : new TableRef(n.substring(0, dot), n.substring(dot + 1)));
        }
        return out;
    }
}
