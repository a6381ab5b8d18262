package dev.airlock.policy.internal;

import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An {@code explain} or {@code hint} template, split once into literal text and placeholders. Values
 * taken from the action are stripped of control characters and cut to {@value #MAX_VALUE} characters, so
 * a rendered template is always safe to show to the agent.
 */
public final class Template {

    public static final int MAX_VALUE = 100;

    /**
     * The values a template can use, besides those taken from the action.
     *
     * @param captures the deciding rule's {@code http.path} captures, for {@code {path.name}}
     */
    public record Vars(String rule, String effect, String profile, java.util.Map<String, String> captures) {
        public Vars(String rule, String effect, String profile) {
            this(rule, effect, profile, java.util.Map.of());
        }
    }

    private enum Placeholder { RULE, EFFECT, CONNECTION, PROTOCOL, SUBJECT, ACTOR, KIND, STATEMENT, TABLES, FUNCTIONS,
        PROGRAM, METHOD, PATH, PROFILE, PATH_CAPTURE }

    private final String[] literals;
    private final Placeholder[] placeholders;
    /** The capture name of each {@link Placeholder#PATH_CAPTURE}, else {@code null}. */
    private final String[] captures;

    private Template(List<String> literals, List<Placeholder> placeholders, List<String> captures) {
        this.literals = literals.toArray(new String[0]);
        this.placeholders = placeholders.toArray(new Placeholder[0]);
        this.captures = captures.toArray(new String[0]);
    }

    /** Whether the template reads a path capture ({@code {path.name}}). */
    public boolean usesCaptures() {
        for (Placeholder p : placeholders) {
            if (p == Placeholder.PATH_CAPTURE) {
                return true;
            }
        }
        return false;
    }

    /** Compiles {@code text}; placeholders were validated when the policy file was read. */
    public static Template compile(String text) {
        List<String> lits = new ArrayList<>();
        List<Placeholder> phs = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = text.indexOf('{', i);
            int close = open < 0 ? -1 : text.indexOf('}', open);
            if (close < 0) {
                lits.add(text.substring(i));
                break;
            }
            lits.add(text.substring(i, open));
            String name = text.substring(open + 1, close);
            if (name.startsWith("path.")) {
                phs.add(Placeholder.PATH_CAPTURE);
                caps.add(name.substring(5));
            } else {
                phs.add(Placeholder.valueOf(name.toUpperCase(Locale.ROOT)));
                caps.add(null);
            }
            i = close + 1;
        }
        return new Template(lits, phs, caps);
    }

    public String render(EvalContext c, Vars vars) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < placeholders.length; i++) {
            sb.append(literals[i]);
            sb.append(safe(placeholders[i] == Placeholder.PATH_CAPTURE
                    ? vars.captures().getOrDefault(captures[i], "") : value(placeholders[i], c, vars)));
        }
        sb.append(literals[literals.length - 1]);
        return sb.toString();
    }

    private static String value(Placeholder p, EvalContext c, Vars v) {
        return switch (p) {
            case RULE -> v.rule();
            case EFFECT -> v.effect();
            case PROFILE -> v.profile() == null ? "" : v.profile();
            case CONNECTION -> c.connection.name();
            case PROTOCOL -> c.connection.protocol().yamlName();
            case SUBJECT -> c.identity.subject();
            case ACTOR -> c.identity.actingSubject();
            case KIND -> c.sqlKind == null ? "" : kindName(c.sqlKind);
            case STATEMENT -> c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).statements;
            case TABLES -> c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).tables;
            case FUNCTIONS -> c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).functions;
            case PROGRAM -> c.ssh == null || c.ssh.program() == null ? "" : c.ssh.program();
            case METHOD -> c.http == null ? "" : c.http.method();
            case PATH -> c.http != null ? c.http.path() : c.ssh != null ? String.join(", ", c.ssh.paths()) : "";
            case PATH_CAPTURE -> throw new IllegalStateException("rendered from vars");
        };
    }

    private static String statements(SqlAction a) {
        Set<String> out = new LinkedHashSet<>();
        for (SqlStatement s : a.analysis().statements()) {
            out.add(s.type());
        }
        return String.join(", ", out);
    }

    /** Tables read or written, schema-qualified ({@code public} when the statement did not say). */
    public static String tables(SqlAction a) {
        Set<String> out = new LinkedHashSet<>();
        for (SqlStatement s : a.analysis().statements()) {
            for (TableRef t : s.tablesWritten()) {
                out.add(qualified(t));
            }
            for (TableRef t : s.tablesRead()) {
                out.add(qualified(t));
            }
        }
        return String.join(", ", out);
    }

    static String functions(SqlAction a) {
        Set<String> out = new LinkedHashSet<>();
        for (SqlStatement s : a.analysis().statements()) {
            out.addAll(s.functions());
        }
        return String.join(", ", out);
    }

    static String qualified(TableRef t) {
        return t.schema() == null ? "public." + t.name() : t.qualified();
    }

    static String statementsOf(EvalContext c) {
        return c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).statements;
    }

    static String tablesOf(EvalContext c) {
        return c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).tables;
    }

    static String functionsOf(EvalContext c) {
        return c.sql == null ? "" : SqlTexts.of(c.sql.analysis()).functions;
    }

    private static final String[] KIND_NAMES = java.util.Arrays.stream(dev.airlock.policy.sql.SqlKind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    /** The YAML spelling of a SQL kind, without allocating. */
    public static String kindName(dev.airlock.policy.sql.SqlKind k) {
        return KIND_NAMES[k.ordinal()];
    }

    /**
     * The texts a template takes from a SQL analysis, remembered for the last analyses seen. The SQL
     * analyser hands out one {@code SqlAnalysis} instance per cached statement shape, so a repeated
     * shape renders its explanation without walking the statements again.
     */
    private static final class SqlTexts {
        private static final int SLOTS = 256;
        private static final SqlTexts[] CACHE = new SqlTexts[SLOTS];

        final dev.airlock.policy.sql.SqlAnalysis analysis;
        final String statements;
        final String tables;
        final String functions;

        private SqlTexts(dev.airlock.policy.sql.SqlAnalysis a, SqlAction action) {
            this.analysis = a;
            this.statements = statements(action);
            this.tables = tables(action);
            this.functions = functions(action);
        }

        static SqlTexts of(dev.airlock.policy.sql.SqlAnalysis a) {
            int slot = System.identityHashCode(a) & (SLOTS - 1);
            SqlTexts t = CACHE[slot]; // racy by design: entries are immutable and a miss only recomputes
            if (t == null || t.analysis != a) {
                t = new SqlTexts(a, new SqlAction("-", dev.airlock.config.Protocol.POSTGRES, "", List.of(), a));
                CACHE[slot] = t;
            }
            return t;
        }
    }

    /** Strips control characters and cuts to {@value #MAX_VALUE} characters (an ellipsis marks a cut). */
    public static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            boolean bad = Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029'
                    || Character.getType(ch) == Character.FORMAT;
            if (bad && sb == null) {
                sb = new StringBuilder(n);
                sb.append(s, 0, i);
            }
            if (sb != null && !bad) {
                sb.append(ch);
            }
        }
        String out = sb == null ? s : sb.toString();
        if (out.length() > MAX_VALUE) {
            int cut = MAX_VALUE - 1;
            if (Character.isHighSurrogate(out.charAt(cut - 1))) {
                cut--;
            }
            out = out.substring(0, cut) + '…';
        }
        return out;
    }
}
