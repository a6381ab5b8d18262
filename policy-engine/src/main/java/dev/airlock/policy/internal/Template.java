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

    /** The values a template can use, besides those taken from the action. */
    public record Vars(String rule, String effect, String profile) {}

    private enum Placeholder { RULE, EFFECT, CONNECTION, PROTOCOL, SUBJECT, ACTOR, KIND, STATEMENT, TABLES, FUNCTIONS,
        PROGRAM, METHOD, PATH, PROFILE }

    private final String[] literals;
    private final Placeholder[] placeholders;

    private Template(List<String> literals, List<Placeholder> placeholders) {
        this.literals = literals.toArray(new String[0]);
        this.placeholders = placeholders.toArray(new Placeholder[0]);
    }

    /** Compiles {@code text}; placeholders were validated when the policy file was read. */
    public static Template compile(String text) {
        List<String> lits = new ArrayList<>();
        List<Placeholder> phs = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = text.indexOf('{', i);
            int close = open < 0 ? -1 : text.indexOf('}', open);
            if (close < 0) {
                lits.add(text.substring(i));
                break;
            }
            lits.add(text.substring(i, open));
            phs.add(Placeholder.valueOf(text.substring(open + 1, close).toUpperCase(Locale.ROOT)));
            i = close + 1;
        }
        return new Template(lits, phs);
    }

    public String render(EvalContext c, Vars vars) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < placeholders.length; i++) {
            sb.append(literals[i]);
            sb.append(safe(value(placeholders[i], c, vars)));
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
            case KIND -> c.sqlKind == null ? "" : c.sqlKind.name().toLowerCase(Locale.ROOT);
            case STATEMENT -> c.sql == null ? "" : statements(c.sql);
            case TABLES -> c.sql == null ? "" : tables(c.sql);
            case FUNCTIONS -> c.sql == null ? "" : functions(c.sql);
            case PROGRAM -> c.ssh == null || c.ssh.program() == null ? "" : c.ssh.program();
            case METHOD -> c.http == null ? "" : c.http.method();
            case PATH -> c.http != null ? c.http.path() : c.ssh != null ? String.join(", ", c.ssh.paths()) : "";
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
        return c.sql == null ? "" : statements(c.sql);
    }

    static String tablesOf(EvalContext c) {
        return c.sql == null ? "" : tables(c.sql);
    }

    static String functionsOf(EvalContext c) {
        return c.sql == null ? "" : functions(c.sql);
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
