package dev.airlock.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.Protocol;
import dev.airlock.config.policy.Match;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a {@link Match} into a {@link Criterion} tree. */
public final class CriterionCompiler {

    private CriterionCompiler() {}

    public static Criterion compile(Match m) {
        List<Criterion> parts = new ArrayList<>();
        if (m.identity() != null) {
            identity(m.identity(), parts);
        }
        if (m.connection() != null) {
            connection(m.connection(), parts);
        }
        if (m.time() != null) {
            parts.add(time(m.time()));
        }
        if (m.sql() != null) {
            sql(m.sql(), parts);
        }
        if (m.ssh() != null) {
            ssh(m.ssh(), parts);
        }
        if (m.http() != null) {
            http(m.http(), parts);
        }
        if (!m.any().isEmpty()) {
            parts.add(new Criterion.Any(m.any().stream().map(CriterionCompiler::compile).toList()));
        }
        if (!m.all().isEmpty()) {
            parts.add(new Criterion.All(m.all().stream().map(CriterionCompiler::compile).toList()));
        }
        if (m.not() != null) {
            parts.add(new Criterion.Not(compile(m.not())));
        }
        return parts.size() == 1 ? parts.get(0) : new Criterion.All(parts);
    }

    /** The protocols a match can hold for, judged from its top-level criteria (all protocols when it cannot tell). */
    public static Set<Protocol> protocols(Match m) {
        Set<Protocol> out = EnumSet.allOf(Protocol.class);
        if (m.sql() != null) {
            out.retainAll(EnumSet.of(Protocol.POSTGRES, Protocol.MYSQL));
        }
        if (m.ssh() != null) {
            out.retainAll(EnumSet.of(Protocol.SSH));
        }
        if (m.http() != null) {
            out.retainAll(EnumSet.of(Protocol.HTTP));
        }
        if (m.connection() != null && !m.connection().protocol().isEmpty()) {
            Set<Protocol> named = EnumSet.noneOf(Protocol.class);
            for (String p : m.connection().protocol()) {
                named.add(Protocol.valueOf(p.toUpperCase(Locale.ROOT)));
            }
            out.retainAll(named);
        }
        for (Match a : m.all()) {
            out.retainAll(protocols(a));
        }
        if (!m.any().isEmpty()) {
            Set<Protocol> union = EnumSet.noneOf(Protocol.class);
            for (Match a : m.any()) {
                union.addAll(protocols(a));
            }
            out.retainAll(union);
        }
        return out;
    }

    // ---- globs ----------------------------------------------------------------------------------

    static Glob[] globs(List<String> patterns, boolean ignoreCase) {
        return patterns.stream().map(p -> Glob.of(p, ignoreCase)).toArray(Glob[]::new);
    }

    static Glob[] pathGlobs(List<String> patterns) {
        return patterns.stream().map(Glob::path).toArray(Glob[]::new);
    }

    static PathMatcher[] pathMatchers(List<String> patterns) {
        return patterns.stream().map(PathMatcher::of).toArray(PathMatcher[]::new);
    }

    /** The captures of the first pattern that matches {@code path}, or {@code null} when none does. */
    public static Map<String, String> capture(PathMatcher[] patterns, String path) {
        for (PathMatcher p : patterns) {
            Map<String, String> caps = p.capture(path);
            if (caps != null) {
                return caps;
            }
        }
        return null;
    }

    /**
     * The patterns whose captures a rule's templates read ({@code {path.name}}): its top-level {@code http.path},
     * or {@code null} when none of them captures anything.
     */
    public static PathMatcher[] templateCaptures(Match m) {
        if (m.http() == null || m.http().path().isEmpty()) {
            return null;
        }
        PathMatcher[] g = pathMatchers(m.http().path());
        for (PathMatcher p : g) {
            if (p.hasCaptures()) {
                return g;
            }
        }
        return null;
    }

    static boolean anyMatch(Glob[] globs, String s) {
        if (s == null) {
            return false;
        }
        for (Glob g : globs) {
            if (g.matches(s)) {
                return true;
            }
        }
        return false;
    }

    // ---- identity -------------------------------------------------------------------------------

    private static void identity(Match.IdentityMatch m, List<Criterion> parts) {
        party("identity", m.party(), PartyView.PRINCIPAL, parts);
        if (!m.groupsAll().isEmpty()) {
            List<String> all = m.groupsAll();
            parts.add(new Criterion.Leaf("identity.groups_all", c -> Tri.of(c.identity.groups().containsAll(all)),
                    c -> String.join(",", all)));
        }
        if (m.delegated() != null) {
            boolean want = m.delegated();
            parts.add(new Criterion.Leaf("identity.delegated", c -> Tri.of(c.identity.isDelegated() == want),
                    c -> Boolean.toString(c.identity.isDelegated())));
        }
        if (m.actor() != null) {
            List<Criterion> actor = new ArrayList<>();
            actor.add(new Criterion.Leaf("identity.delegated", c -> Tri.of(c.identity.isDelegated()), c -> "true"));
            party("identity.actor", m.actor(), PartyView.ACTOR, actor);
            parts.add(new Criterion.All(actor));
        }
        if (m.principal() != null) {
            party("identity.principal", m.principal(), PartyView.PRINCIPAL, parts);
        }
    }

    /** How to read subject, email, groups and claims off one party of an identity. */
    private enum PartyView {
        PRINCIPAL, ACTOR;

        String subject(Identity id) {
            return this == PRINCIPAL ? id.subject() : id.actors().isEmpty() ? null : id.actors().get(0).subject();
        }

        Map<String, Object> claims(Identity id) {
            return this == PRINCIPAL ? id.claims() : id.actors().isEmpty() ? Map.of() : id.actors().get(0).claims();
        }

        String email(Identity id) {
            if (this == PRINCIPAL && id.email() != null) {
                return id.email();
            }
            Object e = claims(id).get("email");
            return e instanceof String s ? s : null;
        }

        boolean inGroup(Identity id, Set<String> groups) {
            if (this == PRINCIPAL) {
                for (String g : id.groups()) {
                    if (groups.contains(g)) {
                        return true;
                    }
                }
                return false;
            }
            Object g = claims(id).get("groups");
            if (g instanceof List<?> list) {
                for (Object o : list) {
                    if (o != null && groups.contains(o.toString())) {
                        return true;
                    }
                }
                return false;
            }
            return g != null && groups.contains(g.toString());
        }
    }

    private static void party(String prefix, Match.PartyMatch m, PartyView view, List<Criterion> parts) {
        if (!m.subject().isEmpty()) {
            Glob[] g = globs(m.subject(), false);
            parts.add(new Criterion.Leaf(prefix + ".subject", c -> Tri.of(anyMatch(g, view.subject(c.identity))),
                    c -> view.subject(c.identity)));
        }
        if (!m.email().isEmpty()) {
            Glob[] g = globs(m.email(), true);
            parts.add(new Criterion.Leaf(prefix + ".email", c -> Tri.of(anyMatch(g, view.email(c.identity))),
                    c -> view.email(c.identity)));
        }
        if (!m.groups().isEmpty()) {
            Set<String> groups = Set.copyOf(m.groups());
            parts.add(new Criterion.Leaf(prefix + ".groups", c -> Tri.of(view.inGroup(c.identity, groups)), c -> {
                StringBuilder hit = new StringBuilder();
                for (String g : m.groups()) {
                    if (view.inGroup(c.identity, Set.of(g))) {
                        hit.append(hit.length() == 0 ? "" : ",").append(g);
                    }
                }
                return hit.toString();
            }));
        }
        for (Map.Entry<String, List<String>> e : m.claims().entrySet()) {
            String path = e.getKey();
            String[] segments = path.split("\\.");
            Set<String> values = Set.copyOf(e.getValue());
            parts.add(new Criterion.Leaf(prefix + ".claims." + path,
                    c -> Tri.of(claimMatches(claim(view.claims(c.identity), path, segments), values)),
                    c -> String.valueOf(claim(view.claims(c.identity), path, segments))));
        }
    }

    /** The claim at {@code path}: the literal key first (claim names may contain dots), else a walk through nested objects. */
    static Object claim(Map<String, Object> claims, String path, String[] segments) {
        Object v = claims.get(path);
        if (v != null || segments.length == 1) {
            return v;
        }
        Object cur = claims;
        for (String s : segments) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(s);
        }
        return cur;
    }

    private static boolean claimMatches(Object v, Set<String> values) {
        if (v == null) {
            return false;
        }
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (o != null && !(o instanceof Map) && !(o instanceof List) && values.contains(o.toString())) {
                    return true;
                }
            }
            return false;
        }
        return !(v instanceof Map) && values.contains(v.toString());
    }

    // ---- connection, time -----------------------------------------------------------------------

    private static void connection(Match.ConnectionMatch m, List<Criterion> parts) {
        if (!m.name().isEmpty()) {
            Glob[] g = globs(m.name(), false);
            parts.add(new Criterion.Leaf("connection.name", c -> Tri.of(anyMatch(g, c.connection.name())),
                    c -> c.connection.name()));
        }
        if (!m.protocol().isEmpty()) {
            Set<Protocol> ps = EnumSet.noneOf(Protocol.class);
            m.protocol().forEach(p -> ps.add(Protocol.valueOf(p.toUpperCase(Locale.ROOT))));
            parts.add(new Criterion.Leaf("connection.protocol", c -> Tri.of(ps.contains(c.connection.protocol())),
                    c -> c.connection.protocol().yamlName()));
        }
        for (Map.Entry<String, List<String>> e : m.labels().entrySet()) {
            String key = e.getKey();
            Set<String> values = Set.copyOf(e.getValue());
            parts.add(new Criterion.Leaf("connection.labels." + key, c -> {
                String v = c.connection.labels().get(key);
                return Tri.of(v != null && values.contains(v));
            }, c -> c.connection.labels().get(key)));
        }
    }

    private static Criterion time(Match.TimeMatch m) {
        Set<DayOfWeek> days = m.weekdays().isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(m.weekdays());
        LocalTime from = m.from();
        LocalTime to = m.to();
        ZoneId zone = m.zone();
        return new Criterion.Leaf("time", c -> {
            ZonedDateTime t = c.now.atZone(zone);
            if (!days.contains(t.getDayOfWeek())) {
                return Tri.NO;
            }
            if (from == null) {
                return Tri.YES;
            }
            LocalTime lt = t.toLocalTime();
            boolean inside = from.isBefore(to)
                    ? !lt.isBefore(from) && (lt.isBefore(to) || to.equals(LocalTime.MAX))
                    : !lt.isBefore(from) || lt.isBefore(to);
            return Tri.of(inside);
        }, c -> c.now.atZone(zone).withNano(0).toString());
    }

    // ---- sql ------------------------------------------------------------------------------------

    /** A table pattern: {@code schema.name} globs, or a name glob that matches in any schema. */
    private record TableGlob(Glob schema, Glob name) {
        static TableGlob of(String pattern) {
            int dot = pattern.indexOf('.');
            return dot < 0 ? new TableGlob(null, Glob.of(pattern, true))
                    : new TableGlob(Glob.of(pattern.substring(0, dot), true), Glob.of(pattern.substring(dot + 1), true));
        }

        boolean matches(TableRef t) {
            return name.matches(t.name()) && (schema == null || schema.matches(t.schema() == null ? "public" : t.schema()));
        }
    }

    private static boolean anyTable(TableGlob[] globs, Set<TableRef> tables) {
        for (TableRef t : tables) {
            for (TableGlob g : globs) {
                if (g.matches(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    private enum TableSide { ANY, READ, WRITTEN }

    private static Tri tables(EvalContext c, TableGlob[] globs, TableSide side) {
        if (c.sql == null) {
            return Tri.NO;
        }
        for (SqlStatement s : c.sql.analysis().statements()) {
            if (side != TableSide.WRITTEN && anyTable(globs, s.tablesRead())) {
                return Tri.YES;
            }
            if (side != TableSide.READ && anyTable(globs, s.tablesWritten())) {
                return Tri.YES;
            }
        }
        return c.sqlUnparsed ? Tri.UNKNOWN : Tri.NO;
    }

    private static void sql(Match.SqlMatch m, List<Criterion> parts) {
        parts.add(new Criterion.Guard(c -> Tri.of(c.sql != null)));
        if (!m.kind().isEmpty()) {
            Set<SqlKind> kinds = EnumSet.noneOf(SqlKind.class);
            m.kind().forEach(k -> kinds.add(SqlKind.valueOf(k.toUpperCase(Locale.ROOT))));
            parts.add(new Criterion.Leaf("sql.kind", c -> Tri.of(c.sqlKind != null && kinds.contains(c.sqlKind)),
                    c -> c.sqlKind == null ? "" : Template.kindName(c.sqlKind)));
        }
        if (!m.statement().isEmpty()) {
            Set<String> types = new HashSet<>(m.statement());
            parts.add(new Criterion.Leaf("sql.statement", c -> {
                for (SqlStatement s : c.sql.analysis().statements()) {
                    if (types.contains(s.type()) || types.contains(s.type().toUpperCase(Locale.ROOT))) {
                        return Tri.YES;
                    }
                }
                return Tri.NO; // the analyser names every statement's type, even one it could not fully read
            }, c -> Template.statementsOf(c)));
        }
        addTables(parts, "sql.tables", m.tables(), TableSide.ANY);
        addTables(parts, "sql.tables_read", m.tablesRead(), TableSide.READ);
        addTables(parts, "sql.tables_written", m.tablesWritten(), TableSide.WRITTEN);
        if (!m.functions().isEmpty()) {
            TableGlob[] globs = m.functions().stream().map(TableGlob::of).toArray(TableGlob[]::new);
            parts.add(new Criterion.Leaf("sql.functions", c -> {
                for (SqlStatement s : c.sql.analysis().statements()) {
                    for (String f : s.functions()) {
                        int dot = f.lastIndexOf('.');
                        for (TableGlob g : globs) {
                            boolean hit = g.schema() == null ? g.name().matches(f, dot + 1, f.length())
                                    : dot >= 0 && g.schema().matches(f, 0, dot) && g.name().matches(f, dot + 1, f.length());
                            if (hit) {
                                return Tri.YES;
                            }
                        }
                    }
                }
                return c.sqlUnparsed ? Tri.UNKNOWN : Tri.NO;
            }, c -> Template.functionsOf(c)));
        }
        if (m.whereAbsent()) {
            parts.add(new Criterion.Leaf("sql.where", c -> {
                for (SqlStatement s : c.sql.analysis().statements()) {
                    if (s.whereAbsent()) {
                        return Tri.YES;
                    }
                }
                return c.sqlUnparsed ? Tri.UNKNOWN : Tri.NO;
            }, c -> "absent"));
        }
        if (m.unparsed() != null) {
            boolean want = m.unparsed();
            parts.add(new Criterion.Leaf("sql.unparsed", c -> Tri.of(c.sqlUnparsed == want),
                    c -> Boolean.toString(c.sqlUnparsed)));
        }
    }

    private static void addTables(List<Criterion> parts, String name, List<String> patterns, TableSide side) {
        if (patterns.isEmpty()) {
            return;
        }
        TableGlob[] globs = patterns.stream().map(TableGlob::of).toArray(TableGlob[]::new);
        parts.add(new Criterion.Leaf(name, c -> tables(c, globs, side), c -> Template.tablesOf(c)));
    }

    // ---- ssh ------------------------------------------------------------------------------------

    private static void ssh(Match.SshMatch m, List<Criterion> parts) {
        parts.add(new Criterion.Guard(c -> Tri.of(c.ssh != null)));
        if (!m.program().isEmpty()) {
            Glob[] g = globs(m.program(), false);
            parts.add(new Criterion.Leaf("ssh.program", c -> {
                String p = c.ssh.program();
                if (p == null) {
                    return Tri.NO;
                }
                if (anyMatch(g, p)) {
                    return Tri.YES;
                }
                int slash = p.lastIndexOf('/');
                if (slash >= 0) {
                    for (Glob glob : g) {
                        if (glob.matches(p, slash + 1, p.length())) {
                            return Tri.YES;
                        }
                    }
                }
                return Tri.NO;
            }, c -> c.ssh.program()));
        }
        if (!m.argv().isEmpty()) {
            Glob[] g = globs(m.argv(), false);
            parts.add(new Criterion.Leaf("ssh.argv", c -> Tri.of(c.ssh.channel() == SshAction.ChannelType.EXEC
                    && anyMatch(g, c.argvLine())), c -> c.argvLine()));
        }
        if (!m.channel().isEmpty()) {
            Set<SshAction.ChannelType> ch = EnumSet.noneOf(SshAction.ChannelType.class);
            m.channel().forEach(x -> ch.add(SshAction.ChannelType.valueOf(x.toUpperCase(Locale.ROOT))));
            parts.add(new Criterion.Leaf("ssh.channel", c -> Tri.of(ch.contains(c.ssh.channel())),
                    c -> c.ssh.channel().name().toLowerCase(Locale.ROOT)));
        }
        if (!m.transfer().isEmpty()) {
            Set<SshAction.Transfer> tr = EnumSet.noneOf(SshAction.Transfer.class);
            m.transfer().forEach(x -> tr.add(SshAction.Transfer.valueOf(x.toUpperCase(Locale.ROOT))));
            parts.add(new Criterion.Leaf("ssh.transfer", c -> Tri.of(tr.contains(c.ssh.transfer())),
                    c -> c.ssh.transfer().name().toLowerCase(Locale.ROOT)));
        }
        if (!m.paths().isEmpty()) {
            Glob[] g = pathGlobs(m.paths());
            parts.add(new Criterion.Leaf("ssh.paths", c -> {
                for (String p : c.ssh.paths()) {
                    if (anyMatch(g, p)) {
                        return Tri.YES;
                    }
                }
                return Tri.NO;
            }, c -> String.join(",", c.ssh.paths())));
        }
    }

    // ---- http -----------------------------------------------------------------------------------

    private static void http(Match.HttpMatch m, List<Criterion> parts) {
        parts.add(new Criterion.Guard(c -> Tri.of(c.http != null)));
        if (!m.method().isEmpty()) {
            String[] methods = m.method().toArray(new String[0]);
            parts.add(new Criterion.Leaf("http.method", c -> {
                for (String x : methods) {
                    if (x.equalsIgnoreCase(c.http.method())) {
                        return Tri.YES;
                    }
                }
                return Tri.NO;
            }, c -> c.http.method()));
        }
        if (!m.path().isEmpty()) {
            PathMatcher[] g = pathMatchers(m.path());
            parts.add(new Criterion.Leaf("http.path", c -> {
                for (PathMatcher p : g) {
                    if (p.matches(c.http.path())) {
                        return Tri.YES;
                    }
                }
                return Tri.NO;
            }, c -> c.http.path()));
            for (Map.Entry<String, String> e : m.params().entrySet()) {
                String name = e.getKey();
                Glob value = Glob.of(e.getValue(), false);
                parts.add(new Criterion.Leaf("http.params." + name, c -> {
                    Map<String, String> caps = capture(g, c.http.path());
                    return Tri.of(caps != null && value.matches(caps.get(name)));
                }, c -> {
                    Map<String, String> caps = capture(g, c.http.path());
                    return caps == null ? "none" : caps.get(name);
                }));
            }
        }
        for (Map.Entry<String, String> e : m.query().entrySet()) {
            String name = e.getKey();
            Glob g = Glob.of(e.getValue(), false);
            parts.add(new Criterion.Leaf("http.query." + name, c -> Tri.of(anyValue(c.http.query().get(name), g)),
                    c -> String.valueOf(c.http.query().get(name))));
        }
        for (Map.Entry<String, String> e : m.headers().entrySet()) {
            String name = e.getKey();
            Glob g = Glob.of(e.getValue(), false);
            parts.add(new Criterion.Leaf("http.headers." + name, c -> Tri.of(anyValue(header(c.http, name), g)),
                    c -> String.valueOf(header(c.http, name))));
        }
        for (Map.Entry<String, List<Match.BodyCondition>> e : m.body().entrySet()) {
            String field = e.getKey();
            String[] segments = field.split("\\.");
            BodyTest[] tests = e.getValue().stream().map(BodyTest::new).toArray(BodyTest[]::new);
            parts.add(new Criterion.Leaf("http.body." + field, c -> {
                JsonNode body = c.http.jsonBody();
                if (body == null && c.http.bodyDigest() != null) {
                    return Tri.UNKNOWN;
                }
                JsonNode v = body == null ? null : at(body, segments);
                for (BodyTest t : tests) {
                    if (!t.test(v)) {
                        return Tri.NO;
                    }
                }
                return Tri.YES;
            }, c -> {
                JsonNode body = c.http.jsonBody();
                JsonNode v = body == null ? null : at(body, segments);
                return body == null ? "unknown" : v == null ? "missing" : v.isTextual() ? v.textValue() : v.toString();
            }));
        }
    }

    private static List<String> header(HttpAction a, String name) {
        List<String> v = a.headers().get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, List<String>> e : a.headers().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static boolean anyValue(List<String> values, Glob g) {
        if (values == null) {
            return false;
        }
        for (String v : values) {
            if (g.matches(v)) {
                return true;
            }
        }
        return false;
    }

    static JsonNode at(JsonNode node, String[] segments) {
        JsonNode cur = node;
        for (String s : segments) {
            if (cur == null) {
                return null;
            }
            if (cur.isArray()) {
                int i = index(s);
                cur = i < 0 ? null : cur.get(i);
            } else if (cur.isObject()) {
                cur = cur.get(s);
            } else {
                return null;
            }
        }
        return cur == null || cur.isMissingNode() ? null : cur;
    }

    private static int index(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    /** One compiled body comparison. A missing field satisfies only {@code exists: false}. */
    private static final class BodyTest {
        private final Match.BodyOp op;
        private final String[] texts;
        private final double number;
        private final boolean numeric;
        private final Glob glob;

        BodyTest(Match.BodyCondition c) {
            this.op = c.op();
            this.texts = c.values().toArray(new String[0]);
            this.numeric = c.numeric() || op == Match.BodyOp.GT || op == Match.BodyOp.GTE || op == Match.BodyOp.LT
                    || op == Match.BodyOp.LTE;
            this.number = numeric ? Double.parseDouble(texts[0]) : Double.NaN;
            this.glob = op == Match.BodyOp.GLOB ? Glob.of(texts[0], false) : null;
        }

        boolean test(JsonNode v) {
            if (op == Match.BodyOp.EXISTS) {
                return (v != null && !v.isNull()) == Boolean.parseBoolean(texts[0]);
            }
            if (v == null || v.isContainerNode()) {
                return false;
            }
            return switch (op) {
                case EQ -> equal(v, 0);
                case NE -> !equal(v, 0);
                case IN -> {
                    for (int i = 0; i < texts.length; i++) {
                        if (equal(v, i)) {
                            yield true;
                        }
                    }
                    yield false;
                }
                case GT -> v.isNumber() && v.asDouble() > number;
                case GTE -> v.isNumber() && v.asDouble() >= number;
                case LT -> v.isNumber() && v.asDouble() < number;
                case LTE -> v.isNumber() && v.asDouble() <= number;
                case GLOB -> v.isTextual() && glob.matches(v.textValue());
                default -> false;
            };
        }

        private boolean equal(JsonNode v, int i) {
            if (v.isNumber()) {
                try {
                    return v.asDouble() == Double.parseDouble(texts[i]);
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            if (v.isNull()) {
                return false;
            }
            return (v.isTextual() ? v.textValue() : v.asText()).equals(texts[i]);
        }
    }
}
