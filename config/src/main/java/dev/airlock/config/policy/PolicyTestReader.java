package dev.airlock.config.policy;

import dev.airlock.config.policy.internal.Binder;
import dev.airlock.config.policy.internal.LocatedYaml;
import dev.airlock.config.policy.internal.YamlNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Reads a policy test file into a {@link PolicyTestSuite}, reporting every problem with its location. */
public final class PolicyTestReader {

    /** When a case gives no {@code at}: a Monday, noon UTC. */
    public static final Instant DEFAULT_AT = Instant.parse("2026-01-05T12:00:00Z");
    static final String DEFAULT_ISSUER = "https://issuer.test";

    private static final Set<String> TOP = Set.of("policy", "at", "connections", "identities", "cases");
    private static final Set<String> CONNECTION = Set.of("protocol", "labels");
    private static final Set<String> IDENTITY = Set.of("issuer", "subject", "email", "groups", "claims", "actors");
    private static final Set<String> ACTOR = Set.of("subject", "claims");
    private static final Set<String> CASE = Set.of("name", "identity", "connection", "at", "sql", "sql_statements", "ssh", "http", "expect");
    private static final Set<String> STATEMENT = Set.of("type", "kind", "tables_read", "tables_written", "functions", "where_absent", "unparsed");
    private static final Set<String> SSH = Set.of("channel", "program", "argv", "transfer", "paths");
    private static final Set<String> HTTP = Set.of("method", "path", "query", "headers", "body", "body_unreadable");
    private static final Set<String> EXPECT = Set.of("effect", "rules", "profile", "dry_run", "explanation_contains");

    private final Binder b = new Binder();
    private final Map<String, PolicyTestSuite.ConnectionSpec> connections = new LinkedHashMap<>();
    private final Map<String, PolicyTestSuite.IdentitySpec> identities = new LinkedHashMap<>();

    private PolicyTestReader() {}

    public static PolicyTestSuite read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyProblem(new SourceLocation(file.toString(), 1, 1), "",
                    "cannot read: " + e)));
        }
        Path dir = file.getParent() == null ? Path.of("") : file.getParent();
        return parse(file.toString(), text, dir);
    }

    /** Parses {@code text}; policy file names are resolved against {@code dir}. */
    public static PolicyTestSuite parse(String file, String text, Path dir) {
        YamlNode root = LocatedYaml.parse(file, text);
        PolicyTestReader r = new PolicyTestReader();
        PolicyTestSuite suite = r.suite(file, root, dir);
        if (!r.b.problems().isEmpty()) {
            List<PolicyProblem> problems = new ArrayList<>(r.b.problems());
            problems.sort(java.util.Comparator.comparingInt((PolicyProblem p) -> p.location().line())
                    .thenComparingInt(p -> p.location().column()));
            throw new PolicyException(problems);
        }
        return suite;
    }

    private PolicyTestSuite suite(String file, YamlNode root, Path dir) {
        YamlNode.MapNode top = b.map(root, "", TOP);
        if (top == null) {
            return null;
        }
        List<Path> policies = new ArrayList<>();
        YamlNode n = Binder.get(top, "policy");
        if (n == null) {
            b.problem(top.location(), "", "missing key 'policy' (the policy files to test, relative to this file)");
        } else {
            for (String p : b.strings(n, "policy")) {
                policies.add(dir.resolve(p).normalize());
            }
        }
        Instant defaultAt = DEFAULT_AT;
        if ((n = Binder.get(top, "at")) != null) {
            Instant at = instant(n, "at");
            defaultAt = at == null ? DEFAULT_AT : at;
        }
        if ((n = Binder.get(top, "connections")) != null) {
            YamlNode.MapNode m = b.map(n, "connections", null);
            if (m != null) {
                for (YamlNode.Entry e : m.entries().values()) {
                    PolicyTestSuite.ConnectionSpec c = connection(e.key(), e.value(), "connections." + e.key());
                    if (c != null) {
                        connections.put(e.key(), c);
                    }
                }
            }
        }
        if ((n = Binder.get(top, "identities")) != null) {
            YamlNode.MapNode m = b.map(n, "identities", null);
            if (m != null) {
                for (YamlNode.Entry e : m.entries().values()) {
                    PolicyTestSuite.IdentitySpec id = identity(e.value(), "identities." + e.key());
                    if (id != null) {
                        identities.put(e.key(), id);
                    }
                }
            }
        }
        List<PolicyTestSuite.Case> cases = new ArrayList<>();
        n = Binder.get(top, "cases");
        if (!(n instanceof YamlNode.ListNode l) || l.items().isEmpty()) {
            b.problem(n == null ? top.location() : n.location(), "cases", "expected: a non-empty list of cases");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < l.items().size(); i++) {
                PolicyTestSuite.Case c = testCase(l.items().get(i), "cases[" + i + "]", defaultAt);
                if (c != null) {
                    if (!names.add(c.name())) {
                        b.problem(c.location(), "cases[" + i + "].name", "duplicate case name '" + c.name() + "'");
                    }
                    cases.add(c);
                }
            }
        }
        return new PolicyTestSuite(file, policies, cases);
    }

    private Instant instant(YamlNode n, String path) {
        String s = b.string(n, path);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            b.problem(n.location(), path, "'" + s + "' (expected: an ISO-8601 instant like 2026-11-23T10:00:00Z)");
            return null;
        }
    }

    private PolicyTestSuite.ConnectionSpec connection(String name, YamlNode node, String path) {
        int before = b.problems().size();
        YamlNode.MapNode m = b.map(node, path, CONNECTION);
        if (m == null) {
            return null;
        }
        YamlNode n = Binder.get(m, "protocol");
        String protocol = null;
        if (n == null) {
            b.problem(m.location(), path, "missing key 'protocol'");
        } else {
            protocol = b.oneOf(n, path + ".protocol", Set.of("postgres", "mysql", "ssh", "http"), Binder::lower);
        }
        Map<String, String> labels = (n = Binder.get(m, "labels")) == null ? Map.of()
                : b.singleMap(n, path + ".labels", Function.identity());
        return b.problems().size() > before ? null : new PolicyTestSuite.ConnectionSpec(name, protocol, labels);
    }

    private PolicyTestSuite.IdentitySpec identity(YamlNode node, String path) {
        int before = b.problems().size();
        YamlNode.MapNode m = b.map(node, path, IDENTITY);
        if (m == null) {
            return null;
        }
        YamlNode n;
        String issuer = (n = Binder.get(m, "issuer")) == null ? DEFAULT_ISSUER : b.string(n, path + ".issuer");
        String subject = null;
        if ((n = Binder.get(m, "subject")) == null) {
            b.problem(m.location(), path, "missing key 'subject'");
        } else {
            subject = b.string(n, path + ".subject");
        }
        String email = (n = Binder.get(m, "email")) == null ? null : b.string(n, path + ".email");
        List<String> groups = (n = Binder.get(m, "groups")) == null ? List.of() : b.strings(n, path + ".groups");
        Map<String, Object> claims = (n = Binder.get(m, "claims")) == null ? Map.of() : claims(n, path + ".claims");
        List<PolicyTestSuite.ActorSpec> actors = new ArrayList<>();
        if ((n = Binder.get(m, "actors")) != null) {
            if (n instanceof YamlNode.ListNode l) {
                for (int i = 0; i < l.items().size(); i++) {
                    String p = path + ".actors[" + i + "]";
                    YamlNode.MapNode am = b.map(l.items().get(i), p, ACTOR);
                    if (am == null) {
                        continue;
                    }
                    YamlNode s = Binder.get(am, "subject");
                    String actor = s == null ? null : b.string(s, p + ".subject");
                    if (s == null) {
                        b.problem(am.location(), p, "missing key 'subject'");
                    }
                    YamlNode c = Binder.get(am, "claims");
                    Map<String, Object> ac = c == null ? Map.of() : claims(c, p + ".claims");
                    if (actor != null) {
                        actors.add(new PolicyTestSuite.ActorSpec(actor, ac));
                    }
                }
            } else {
                b.problem(n.location(), path + ".actors", "got " + n.describe() + " (expected: a list, current actor first)");
            }
        }
        return b.problems().size() > before ? null
                : new PolicyTestSuite.IdentitySpec(issuer, subject, email, groups, claims, actors);
    }

    private Map<String, Object> claims(YamlNode n, String path) {
        if (!(n instanceof YamlNode.MapNode)) {
            b.problem(n.location(), path, "got " + n.describe() + " (expected: a mapping of claims)");
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) plain(n);
        return m;
    }

    /** A YAML value as plain Java: String, Long, Double, Boolean, List, Map, or null. */
    static Object plain(YamlNode n) {
        if (n instanceof YamlNode.MapNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, e) -> out.put(k, plain(e.value())));
            return out;
        }
        if (n instanceof YamlNode.ListNode l) {
            List<Object> out = new ArrayList<>();
            l.items().forEach(i -> out.add(plain(i)));
            return out;
        }
        YamlNode.Scalar s = (YamlNode.Scalar) n;
        return switch (s.type()) {
            case STRING -> s.text();
            case INTEGER -> parseLong(s.text());
            case DECIMAL -> Double.parseDouble(s.text());
            case BOOLEAN -> Boolean.parseBoolean(s.text());
            case NULL -> null;
        };
    }

    private static Object parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return new java.math.BigInteger(s);
        }
    }

    private PolicyTestSuite.Case testCase(YamlNode node, String path, Instant defaultAt) {
        int before = b.problems().size();
        YamlNode.MapNode m = b.map(node, path, CASE);
        if (m == null) {
            return null;
        }
        YamlNode n;
        String name = null;
        if ((n = Binder.get(m, "name")) == null) {
            b.problem(m.location(), path, "missing key 'name'");
        } else {
            name = b.string(n, path + ".name");
        }
        PolicyTestSuite.IdentitySpec identity = null;
        if ((n = Binder.get(m, "identity")) == null) {
            b.problem(m.location(), path, "missing key 'identity' (a name from identities, or an identity)");
        } else if (n instanceof YamlNode.MapNode) {
            identity = identity(n, path + ".identity");
        } else {
            String ref = b.string(n, path + ".identity");
            identity = ref == null ? null : identities.get(ref);
            if (ref != null && identity == null) {
                b.problem(n.location(), path + ".identity", "'" + ref + "' is not in identities (defined: "
                        + String.join(", ", identities.keySet()) + ")");
            }
        }
        PolicyTestSuite.ConnectionSpec connection = null;
        if ((n = Binder.get(m, "connection")) == null) {
            b.problem(m.location(), path, "missing key 'connection'");
        } else {
            String ref = b.string(n, path + ".connection");
            connection = ref == null ? null : connections.get(ref);
            if (ref != null && connection == null) {
                b.problem(n.location(), path + ".connection", "'" + ref + "' is not in connections (defined: "
                        + String.join(", ", connections.keySet()) + ")");
            }
        }
        Instant at = (n = Binder.get(m, "at")) == null ? defaultAt : instant(n, path + ".at");
        PolicyTestSuite.ActionSpec action = null;
        int actions = 0;
        if ((n = Binder.get(m, "sql")) != null) {
            actions++;
            String text = b.string(n, path + ".sql");
            action = text == null ? null : new PolicyTestSuite.SqlText(text);
        }
        if ((n = Binder.get(m, "sql_statements")) != null) {
            actions++;
            action = statements(n, path + ".sql_statements");
        }
        if ((n = Binder.get(m, "ssh")) != null) {
            actions++;
            action = ssh(n, path + ".ssh");
        }
        if ((n = Binder.get(m, "http")) != null) {
            actions++;
            action = http(n, path + ".http");
        }
        if (actions != 1) {
            b.problem(m.location(), path, "gives " + actions + " actions (expected: exactly one of sql, sql_statements, ssh, http)");
        }
        PolicyTestSuite.Expectation expect = null;
        if ((n = Binder.get(m, "expect")) == null) {
            b.problem(m.location(), path, "missing key 'expect'");
        } else {
            expect = expectation(n, path + ".expect");
        }
        return b.problems().size() > before ? null
                : new PolicyTestSuite.Case(name, m.location(), identity, connection, at, action, expect);
    }

    private PolicyTestSuite.SqlStatements statements(YamlNode node, String path) {
        if (!(node instanceof YamlNode.ListNode l) || l.items().isEmpty()) {
            b.problem(node.location(), path, "got " + node.describe() + " (expected: a non-empty list of statements)");
            return null;
        }
        List<PolicyTestSuite.StatementSpec> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            String p = path + '[' + i + ']';
            YamlNode.MapNode m = b.map(l.items().get(i), p, STATEMENT);
            if (m == null) {
                continue;
            }
            YamlNode n;
            String type = null;
            if ((n = Binder.get(m, "type")) == null) {
                b.problem(m.location(), p, "missing key 'type' (e.g. SELECT)");
            } else {
                type = b.string(n, p + ".type");
            }
            String kind = null;
            if ((n = Binder.get(m, "kind")) == null) {
                b.problem(m.location(), p, "missing key 'kind'");
            } else {
                kind = b.oneOf(n, p + ".kind", PolicySettings.SQL_KINDS, Binder::lower);
            }
            List<String> read = (n = Binder.get(m, "tables_read")) == null ? List.of() : b.strings(n, p + ".tables_read");
            List<String> written = (n = Binder.get(m, "tables_written")) == null ? List.of() : b.strings(n, p + ".tables_written");
            List<String> functions = (n = Binder.get(m, "functions")) == null ? List.of() : b.strings(n, p + ".functions");
            Boolean whereAbsent = (n = Binder.get(m, "where_absent")) == null ? Boolean.FALSE : b.bool(n, p + ".where_absent");
            String unparsed = (n = Binder.get(m, "unparsed")) == null ? null : b.string(n, p + ".unparsed");
            if (type != null && kind != null && whereAbsent != null) {
                out.add(new PolicyTestSuite.StatementSpec(type.toUpperCase(java.util.Locale.ROOT), kind, read, written,
                        functions, whereAbsent, unparsed));
            }
        }
        return new PolicyTestSuite.SqlStatements(out);
    }

    private PolicyTestSuite.Ssh ssh(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, SSH);
        if (m == null) {
            return null;
        }
        YamlNode n;
        String channel = (n = Binder.get(m, "channel")) == null ? "exec"
                : b.oneOf(n, path + ".channel", Set.of("exec", "shell", "subsystem"), Binder::lower);
        List<String> argv = (n = Binder.get(m, "argv")) == null ? List.of() : b.strings(n, path + ".argv");
        String program = (n = Binder.get(m, "program")) == null ? (argv.isEmpty() ? null : argv.get(0))
                : b.string(n, path + ".program");
        String transfer = (n = Binder.get(m, "transfer")) == null ? "none"
                : b.oneOf(n, path + ".transfer", Set.of("upload", "download", "none"), Binder::lower);
        List<String> paths = (n = Binder.get(m, "paths")) == null ? List.of() : b.strings(n, path + ".paths");
        if ("exec".equals(channel) && argv.isEmpty()) {
            b.problem(m.location(), path, "an exec channel needs 'argv'");
        }
        return new PolicyTestSuite.Ssh(channel, program, argv, transfer, paths);
    }

    private PolicyTestSuite.Http http(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, HTTP);
        if (m == null) {
            return null;
        }
        YamlNode n;
        String method = (n = Binder.get(m, "method")) == null ? "GET" : b.string(n, path + ".method");
        String p = null;
        if ((n = Binder.get(m, "path")) == null) {
            b.problem(m.location(), path, "missing key 'path'");
        } else {
            p = b.string(n, path + ".path");
        }
        Map<String, List<String>> query = (n = Binder.get(m, "query")) == null ? Map.of()
                : b.multiMap(n, path + ".query", Function.identity());
        Map<String, List<String>> headers = (n = Binder.get(m, "headers")) == null ? Map.of()
                : b.multiMap(n, path + ".headers", Binder::lower);
        Object body = (n = Binder.get(m, "body")) == null ? null : plain(n);
        Boolean unreadable = (n = Binder.get(m, "body_unreadable")) == null ? Boolean.FALSE : b.bool(n, path + ".body_unreadable");
        return new PolicyTestSuite.Http(method == null ? "GET" : method.toUpperCase(java.util.Locale.ROOT), p, query,
                headers, body, Boolean.TRUE.equals(unreadable));
    }

    private PolicyTestSuite.Expectation expectation(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, EXPECT);
        if (m == null) {
            return null;
        }
        YamlNode n;
        String effect = null;
        if ((n = Binder.get(m, "effect")) == null) {
            b.problem(m.location(), path, "missing key 'effect'");
        } else {
            effect = b.oneOf(n, path + ".effect", Set.of("allow", "deny", "require_approval"), Binder::lower);
        }
        List<String> rules = (n = Binder.get(m, "rules")) == null ? null : listOrEmpty(n, path + ".rules");
        String profile = (n = Binder.get(m, "profile")) == null ? null : b.string(n, path + ".profile");
        List<String> dryRun = (n = Binder.get(m, "dry_run")) == null ? null : listOrEmpty(n, path + ".dry_run");
        String contains = (n = Binder.get(m, "explanation_contains")) == null ? null
                : b.string(n, path + ".explanation_contains");
        return effect == null ? null : new PolicyTestSuite.Expectation(effect, rules, profile, dryRun, contains);
    }

    /** Like {@link Binder#strings} but {@code []} is allowed (expecting no rules is meaningful). */
    private List<String> listOrEmpty(YamlNode n, String path) {
        if (n instanceof YamlNode.ListNode l && l.items().isEmpty()) {
            return List.of();
        }
        return b.strings(n, path);
    }
}
