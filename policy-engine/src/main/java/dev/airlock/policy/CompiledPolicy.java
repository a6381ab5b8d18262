package dev.airlock.policy;

import dev.airlock.config.Protocol;
import dev.airlock.config.policy.ApprovalProfile;
import dev.airlock.config.policy.PolicySettings;
import dev.airlock.policy.internal.Criterion;
import dev.airlock.policy.internal.CriterionCompiler;
import dev.airlock.policy.internal.PathMatcher;
import dev.airlock.policy.internal.EvalContext;
import dev.airlock.policy.internal.Template;
import dev.airlock.policy.internal.Tri;
import dev.airlock.policy.sql.SqlKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A policy compiled for evaluation: rules pre-sorted by precedence (deny, require_approval, allow) and
 * pre-filtered by protocol, criteria and templates compiled. Immutable and safe to share between
 * threads; {@link #decide} does no parsing, no regex matching and no I/O.
 */
public final class CompiledPolicy {

    /** Rule id reported when {@code settings.on_unparsed: deny} decided. */
    public static final String ON_UNPARSED_RULE = "settings.on_unparsed";

    static final String DEFAULT_DENY = "No rule allows this action (default deny).";

    private final String version;
    private final PolicySettings settings;
    private final SqlKind unparsedKind;
    private final boolean denyUnparsed;
    private final CompiledRule[][] enforcedByProtocol;
    private final CompiledRule[][] dryRunByProtocol;
    private final Map<String, ApprovalProfile> profiles;
    private final List<String> ruleIds;

    CompiledPolicy(String version, PolicySettings settings, SqlKind unparsedKind, boolean denyUnparsed,
                   List<CompiledRule> enforced, List<CompiledRule> dryRun, Map<String, ApprovalProfile> profiles) {
        this.version = version;
        this.settings = settings;
        this.unparsedKind = unparsedKind;
        this.denyUnparsed = denyUnparsed;
        this.enforcedByProtocol = byProtocol(enforced);
        this.dryRunByProtocol = byProtocol(dryRun);
        this.profiles = Map.copyOf(profiles);
        List<String> ids = new ArrayList<>();
        enforced.forEach(r -> ids.add(r.id));
        dryRun.forEach(r -> ids.add(r.id));
        this.ruleIds = List.copyOf(ids);
    }

    private static CompiledRule[][] byProtocol(List<CompiledRule> rules) {
        CompiledRule[][] out = new CompiledRule[Protocol.values().length][];
        for (Protocol p : Protocol.values()) {
            out[p.ordinal()] = rules.stream().filter(r -> r.protocols.contains(p)).toArray(CompiledRule[]::new);
        }
        return out;
    }

    /** Lower-case hex SHA-256 of the canonical policy; unchanged by whitespace and comment edits. */
    public String version() {
        return version;
    }

    /** The first 12 hex digits of {@link #version()}. */
    public String shortVersion() {
        return version.substring(0, 12);
    }

    public PolicySettings settings() {
        return settings;
    }

    /**
     * Options for the {@link dev.airlock.policy.sql.SqlAnalyzer} that feeds this policy: its
     * {@code unknown_functions} and {@code on_unparsed} settings.
     */
    public dev.airlock.policy.sql.SqlAnalyzerOptions sqlAnalyzerOptions() {
        return dev.airlock.policy.sql.SqlAnalyzerOptions.defaults()
                .withUnknownFunctionKind(SqlKind.valueOf(settings.unknownFunctions().toUpperCase(java.util.Locale.ROOT)))
                .withUnparsedKind(unparsedKind);
    }

    public Map<String, ApprovalProfile> approvalProfiles() {
        return profiles;
    }

    /** Every rule id, enforced rules in precedence order then dry-run rules. */
    public List<String> ruleIds() {
        return ruleIds;
    }

    /**
     * Decides one action. Precedence: deny &gt; require_approval &gt; allow &gt; default deny. Dry-run rules are
     * evaluated and reported in {@link Decision#dryRun()} but never change the effect.
     */
    public Decision decide(Identity identity, ConnectionRef connection, Action action, Instant now) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(now, "now");
        if (connection.protocol() != action.protocol()) {
            throw new IllegalArgumentException("action protocol: " + action.protocol().yamlName()
                    + " (expected: " + connection.protocol().yamlName() + ", the protocol of connection " + connection.name() + ")");
        }
        EvalContext c = new EvalContext(identity, connection, action, now, unparsedKind);
        List<Decision.DryRunOutcome> dry = dryRun(c);
        if (denyUnparsed && c.sqlUnparsed) {
            return new Decision(Effect.DENY, null, List.of(ON_UNPARSED_RULE), List.of("sql.unparsed=true"),
                    "Airlock could not fully read this statement, and the policy denies statements it cannot read.",
                    "Split the statement or simplify it.", version, dry, Map.of());
        }
        CompiledRule[] rules = enforcedByProtocol[connection.protocol().ordinal()];
        CompiledRule decider = null;
        List<String> matched = null;
        for (CompiledRule r : rules) {
            if (r.matches(c)) {
                if (decider == null) {
                    decider = r;
                } else {
                    if (matched == null) {
                        matched = new ArrayList<>(4);
                        matched.add(decider.id);
                    }
                    matched.add(r.id);
                }
            }
        }
        if (decider == null) {
            return new Decision(Effect.DENY, null, List.of(), List.of("default"), DEFAULT_DENY,
                    null, version, dry, Map.of());
        }
        List<String> reasons = new ArrayList<>(4);
        decider.criterion.reasons(c, reasons);
        Map<String, String> captures = decider.captures == null || c.http == null ? Map.of()
                : java.util.Objects.requireNonNullElse(CriterionCompiler.capture(decider.captures, c.http.path()), Map.of());
        Template.Vars vars = new Template.Vars(decider.id, decider.effect.yamlName(), decider.approval, captures);
        String explanation = decider.explain != null ? decider.explain.render(c, vars) : defaultExplanation(decider);
        String hint = decider.hint == null ? null : decider.hint.render(c, vars);
        return new Decision(decider.effect, decider.approval, matched == null ? List.of(decider.id) : matched,
                reasons, explanation, hint, version, dry, Map.of());
    }

    private List<Decision.DryRunOutcome> dryRun(EvalContext c) {
        CompiledRule[] rules = dryRunByProtocol[c.connection.protocol().ordinal()];
        if (rules.length == 0) {
            return List.of();
        }
        List<Decision.DryRunOutcome> out = null;
        for (CompiledRule r : rules) {
            if (r.matches(c)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(new Decision.DryRunOutcome(r.id, r.effect, r.approval));
            }
        }
        return out == null ? List.of() : out;
    }

    private static String defaultExplanation(CompiledRule r) {
        return switch (r.effect) {
            case ALLOW -> "Allowed by rule " + r.id + ".";
            case DENY -> "Denied by rule " + r.id + ".";
            case REQUIRE_APPROVAL -> "Rule " + r.id + " requires approval (profile " + r.approval + ").";
        };
    }

    /** One compiled rule. */
    static final class CompiledRule {
        final String id;
        final Effect effect;
        final String approval;
        final Criterion criterion;
        final Set<Protocol> protocols;
        final Template explain;
        final Template hint;
        /** The top-level {@code http.path} patterns when a template reads their captures, else {@code null}. */
        final PathMatcher[] captures;

        CompiledRule(String id, Effect effect, String approval, Criterion criterion, Set<Protocol> protocols,
                     Template explain, Template hint, PathMatcher[] captures) {
            this.id = id;
            this.effect = effect;
            this.approval = approval;
            this.criterion = criterion;
            this.protocols = protocols;
            this.explain = explain;
            this.hint = hint;
            this.captures = (explain != null && explain.usesCaptures()) || (hint != null && hint.usesCaptures()) ? captures : null;
        }

        Effect effect() {
            return effect;
        }

        /** A criterion that is unknown counts as a match for deny and require_approval, never for allow. */
        boolean matches(EvalContext c) {
            Tri t = criterion.test(c);
            return t == Tri.YES || (t == Tri.UNKNOWN && effect != Effect.ALLOW);
        }
    }
}
