package dev.airlock.config.policy;

import dev.airlock.config.policy.internal.Binder;
import dev.airlock.config.policy.internal.Canonical;
import dev.airlock.config.policy.internal.LocatedYaml;
import dev.airlock.config.policy.internal.YamlNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads policy files (schema: {@code docs/policy.md}) into {@link PolicyDocument}s. Strict: unknown keys,
 * wrong types, unknown kinds, duplicate ids, undefined approval profiles and a {@code require_approval}
 * without {@code approval} are all reported, every one of them, as {@code file:line:column: path: message}.
 */
public final class PolicyReader {

    static final Pattern RULE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    static final Set<String> PLACEHOLDERS = Set.of("rule", "effect", "connection", "protocol", "subject", "actor",
            "kind", "statement", "tables", "functions", "program", "method", "path", "profile");

    private static final Set<String> TOP = Set.of("settings", "approval_profiles", "rules");
    private static final Set<String> SETTINGS = Set.of("on_unparsed", "unknown_functions");
    private static final Set<String> PROFILE = Set.of("approvers", "quorum", "timeout", "remind_after", "grant_window", "channels");
    private static final Set<String> APPROVERS = Set.of("groups", "users");
    private static final Set<String> RULE = Set.of("id", "description", "match", "effect", "approval", "explain", "hint", "mode");
    private static final Set<String> MATCH = Set.of("identity", "connection", "time", "sql", "ssh", "http", "any", "all", "not");
    private static final Set<String> PARTY = Set.of("subject", "email", "groups", "claims");
    private static final Set<String> IDENTITY = Set.of("subject", "email", "groups", "groups_all", "claims", "delegated", "actor", "principal");
    private static final Set<String> CONNECTION = Set.of("name", "protocol", "labels");
    private static final Set<String> TIME = Set.of("weekdays", "between", "timezone");
    private static final Set<String> SQL = Set.of("kind", "statement", "tables", "tables_read", "tables_written", "functions", "where", "unparsed");
    private static final Set<String> SSH = Set.of("program", "argv", "channel", "transfer", "paths");
    private static final Set<String> HTTP = Set.of("method", "path", "params", "query", "headers", "body");
    private static final Set<String> PROTOCOLS = Set.of("postgres", "mysql", "ssh", "http");
    private static final Set<String> CHANNELS = Set.of("exec", "shell", "subsystem");
    private static final Set<String> TRANSFERS = Set.of("upload", "download");
    private static final Map<String, DayOfWeek> WEEKDAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);
    private static final Pattern BETWEEN = Pattern.compile("([01]\\d|2[0-3]):([0-5]\\d)-([01]\\d|2[0-4]):([0-5]\\d)");

    private final String file;
    private final Binder b = new Binder();
    private final Map<String, SourceLocation> ruleIds = new HashMap<>();
    private final java.util.Set<String> profileNames = new java.util.HashSet<>();
    private final List<PolicyProblem> approvalRefs = new ArrayList<>();

    private PolicyReader(String file) {
        this.file = file;
    }

    /** Reads and validates one file; the file name in messages is {@code path} as given. */
    public static PolicyDocument read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyProblem(new SourceLocation(path.toString(), 1, 1), "",
                    "cannot read: " + e)));
        }
        return parse(path.toString(), text);
    }

    private static PolicyDocument readShape(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyProblem(new SourceLocation(path.toString(), 1, 1), "",
                    "cannot read: " + e)));
        }
        return parseShape(path.toString(), text, false);
    }

    /** Reads several files and validates them together (unique ids and profiles, approvals defined). */
    public static List<PolicyDocument> readAll(List<Path> paths) {
        List<PolicyDocument> docs = new ArrayList<>();
        List<PolicyProblem> problems = new ArrayList<>();
        for (Path p : paths) {
            try {
                docs.add(readShape(p));
            } catch (PolicyException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        validateSet(docs);
        return docs;
    }

    /** Parses and validates one file on its own (its approval references must resolve within it). */
    public static PolicyDocument parse(String file, String text) {
        PolicyDocument doc = parseShape(file, text, true);
        validateSet(List.of(doc));
        return doc;
    }

    /**
     * Checks what only holds across files: rule ids and profile names unique, every {@code approval}
     * names a profile defined in some file.
     *
     * @throws PolicyException with every problem found
     */
    public static void validateSet(List<PolicyDocument> docs) {
        List<PolicyProblem> problems = new ArrayList<>();
        Map<String, SourceLocation> ruleIds = new HashMap<>();
        Map<String, SourceLocation> profiles = new HashMap<>();
        for (PolicyDocument d : docs) {
            for (ApprovalProfile p : d.approvalProfiles().values()) {
                SourceLocation first = profiles.putIfAbsent(p.name(), p.location());
                if (first != null) {
                    problems.add(new PolicyProblem(p.location(), "approval_profiles." + p.name(),
                            "duplicate profile name (first defined at " + first + ")"));
                }
            }
        }
        for (PolicyDocument d : docs) {
            for (int i = 0; i < d.rules().size(); i++) {
                PolicyRule r = d.rules().get(i);
                SourceLocation first = ruleIds.putIfAbsent(r.id(), r.location());
                if (first != null) {
                    problems.add(new PolicyProblem(r.location(), "rules[" + i + "].id",
                            "duplicate rule id '" + r.id() + "' (first defined at " + first + ")"));
                }
                if (r.approval() != null && !profiles.containsKey(r.approval())) {
                    problems.add(new PolicyProblem(r.location(), "rules[" + i + "].approval",
                            "'" + r.approval() + "' is not a defined approval profile (defined: "
                                    + String.join(", ", new java.util.TreeSet<>(profiles.keySet())) + ")"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
    }

    /** Parses one file and checks everything that holds within it, except cross-references. */
    static PolicyDocument parseShape(String file, String text, boolean alone) {
        YamlNode root = LocatedYaml.parse(file, text);
        PolicyReader r = new PolicyReader(file);
        PolicyDocument doc = r.document(root);
        List<PolicyProblem> problems = new ArrayList<>(r.b.problems());
        if (!problems.isEmpty()) {
            if (alone) {
                // Report references to undefined profiles with the other problems (profiles that failed
                // to bind still count as defined, so one mistake is reported once).
                for (PolicyProblem p : r.approvalRefs) {
                    String name = p.message();
                    if (!r.profileNames.contains(name)) {
                        problems.add(new PolicyProblem(p.location(), p.path(), "'" + name
                                + "' is not a defined approval profile (defined: "
                                + String.join(", ", new java.util.TreeSet<>(r.profileNames)) + ")"));
                    }
                }
            }
            problems.sort(java.util.Comparator.comparingInt((PolicyProblem p) -> p.location().line())
                    .thenComparingInt(p -> p.location().column()));
            throw new PolicyException(problems);
        }
        return doc;
    }

    private PolicyDocument document(YamlNode root) {
        if (!(root instanceof YamlNode.MapNode)) {
            b.problem(root.location(), "", "expected a mapping with approval_profiles and rules, got " + root.describe());
            return null;
        }
        YamlNode.MapNode top = b.map(root, "", TOP);
        if (top == null) {
            return null;
        }
        PolicySettings settings = PolicySettings.DEFAULTS;
        YamlNode s = Binder.get(top, "settings");
        if (s != null) {
            settings = settings(s);
        }
        Map<String, ApprovalProfile> profiles = new LinkedHashMap<>();
        YamlNode ps = Binder.get(top, "approval_profiles");
        if (ps != null) {
            YamlNode.MapNode m = b.map(ps, "approval_profiles", null);
            if (m != null) {
                for (YamlNode.Entry e : m.entries().values()) {
                    profileNames.add(e.key());
                    ApprovalProfile p = profile(e);
                    if (p != null) {
                        profiles.put(p.name(), p);
                    }
                }
            }
        }
        List<PolicyRule> rules = new ArrayList<>();
        YamlNode rs = Binder.get(top, "rules");
        if (rs != null) {
            if (rs instanceof YamlNode.ListNode l) {
                for (int i = 0; i < l.items().size(); i++) {
                    PolicyRule rule = rule(l.items().get(i), "rules[" + i + "]");
                    if (rule != null) {
                        rules.add(rule);
                    }
                }
            } else {
                b.problem(rs.location(), "rules", "got " + rs.describe() + " (expected: a list of rules)");
            }
        }
        return new PolicyDocument(file, settings == null ? PolicySettings.DEFAULTS : settings, profiles, rules,
                Canonical.render(root));
    }

    private PolicySettings settings(YamlNode node) {
        YamlNode.MapNode m = b.map(node, "settings", SETTINGS);
        if (m == null) {
            return null;
        }
        String onUnparsed = "most_privileged";
        String unknownFunctions = "server_code";
        YamlNode n = Binder.get(m, "on_unparsed");
        if (n != null) {
            Set<String> allowed = new java.util.HashSet<>(PolicySettings.SQL_KINDS);
            allowed.add("most_privileged");
            allowed.add("deny");
            onUnparsed = b.oneOf(n, "settings.on_unparsed", allowed, Binder::lower);
        }
        n = Binder.get(m, "unknown_functions");
        if (n != null) {
            unknownFunctions = b.oneOf(n, "settings.unknown_functions", PolicySettings.SQL_KINDS, Binder::lower);
        }
        return onUnparsed == null || unknownFunctions == null ? null : new PolicySettings(onUnparsed, unknownFunctions);
    }

    private ApprovalProfile profile(YamlNode.Entry entry) {
        String path = "approval_profiles." + entry.key();
        int before = b.problems().size();
        if (!RULE_ID.matcher(entry.key()).matches()) {
            b.problem(entry.keyLocation(), path, "profile name must match [a-z0-9][a-z0-9._-]*");
        }
        YamlNode.MapNode m = b.map(entry.value(), path, PROFILE);
        if (m == null) {
            return null;
        }
        List<String> groups = List.of();
        List<String> users = List.of();
        YamlNode ap = Binder.get(m, "approvers");
        if (ap == null) {
            b.problem(m.location(), path, "missing key 'approvers'");
        } else {
            YamlNode.MapNode am = b.map(ap, path + ".approvers", APPROVERS);
            if (am != null) {
                YamlNode g = Binder.get(am, "groups");
                YamlNode u = Binder.get(am, "users");
                groups = g == null ? List.of() : b.strings(g, path + ".approvers.groups");
                users = u == null ? List.of() : b.strings(u, path + ".approvers.users");
                if (g == null && u == null) {
                    b.problem(am.location(), path + ".approvers", "names nobody (expected: groups and/or users)");
                }
            }
        }
        Integer quorum = 1;
        YamlNode q = Binder.get(m, "quorum");
        if (q != null) {
            quorum = b.integer(q, path + ".quorum", 1);
        }
        java.time.Duration timeout = null;
        YamlNode t = Binder.get(m, "timeout");
        if (t == null) {
            b.problem(m.location(), path, "missing key 'timeout'");
        } else {
            timeout = b.duration(t, path + ".timeout");
            if (timeout != null && timeout.isZero()) {
                b.problem(t.location(), path + ".timeout", "0 (expected: > 0)");
            }
        }
        YamlNode ra = Binder.get(m, "remind_after");
        java.time.Duration remind = ra == null ? null : b.duration(ra, path + ".remind_after");
        YamlNode gw = Binder.get(m, "grant_window");
        java.time.Duration grant = gw == null ? java.time.Duration.ZERO : b.duration(gw, path + ".grant_window");
        List<String> channels = List.of();
        YamlNode ch = Binder.get(m, "channels");
        if (ch == null) {
            b.problem(m.location(), path, "missing key 'channels'");
        } else {
            channels = b.strings(ch, path + ".channels", this::channelId);
        }
        if (b.problems().size() > before) {
            return null;
        }
        return new ApprovalProfile(entry.key(), groups, users, quorum, timeout, remind, grant, channels, entry.keyLocation());
    }

    private String channelId(YamlNode node, String path) {
        String s = b.string(node, path);
        if (s == null) {
            return null;
        }
        if (s.equals("web") || s.equals("cli")) {
            return s;
        }
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            b.problem(node.location(), path, "'" + s + "' (expected: kind:name as defined in airlock.yaml, or web, or cli)");
            return null;
        }
        return s;
    }

    private PolicyRule rule(YamlNode node, String path) {
        int before = b.problems().size();
        YamlNode.MapNode m = b.map(node, path, RULE);
        if (m == null) {
            return null;
        }
        String id = null;
        YamlNode idNode = Binder.get(m, "id");
        if (idNode == null) {
            b.problem(m.location(), path, "missing key 'id'");
        } else {
            id = b.string(idNode, path + ".id");
            if (id != null && !RULE_ID.matcher(id).matches()) {
                b.problem(idNode.location(), path + ".id", "'" + id + "' (expected: [a-z0-9][a-z0-9._-]*)");
            } else if (id != null) {
                SourceLocation first = ruleIds.putIfAbsent(id, m.location());
                if (first != null) {
                    b.problem(m.location(), path + ".id", "duplicate rule id '" + id + "' (first defined at " + first + ")");
                }
            }
        }
        String description = optString(m, "description", path);
        Match match = Match.always(m.location());
        YamlNode mn = Binder.get(m, "match");
        if (mn != null) {
            match = match(mn, path + ".match");
        }
        RuleEffect effect = null;
        YamlNode en = Binder.get(m, "effect");
        if (en == null) {
            b.problem(m.location(), path, "missing key 'effect' (expected: allow, deny or require_approval)");
        } else {
            String e = b.oneOf(en, path + ".effect", Set.of("allow", "deny", "require_approval"), Binder::lower);
            effect = e == null ? null : RuleEffect.valueOf(e.toUpperCase(Locale.ROOT));
        }
        String approval = optString(m, "approval", path);
        if (approval != null) {
            approvalRefs.add(new PolicyProblem(m.location(), path + ".approval", approval));
        }
        if (effect == RuleEffect.REQUIRE_APPROVAL && approval == null && Binder.get(m, "approval") == null) {
            b.problem(m.location(), path, "effect require_approval needs 'approval' (an approval profile name)");
        } else if (effect != null && effect != RuleEffect.REQUIRE_APPROVAL && approval != null) {
            b.problem(m.entries().get("approval").keyLocation(), path + ".approval",
                    "only a require_approval rule names an approval profile (effect is " + effect.yamlName() + ")");
        }
        Set<String> captures = captures(match);
        String explain = template(m, "explain", path, captures);
        String hint = template(m, "hint", path, captures);
        RuleMode mode = RuleMode.ENFORCE;
        YamlNode mo = Binder.get(m, "mode");
        if (mo != null) {
            String s = b.oneOf(mo, path + ".mode", Set.of("enforce", "dry_run"), Binder::lower);
            mode = s == null ? null : RuleMode.valueOf(s.toUpperCase(Locale.ROOT));
        }
        if (b.problems().size() > before) {
            return null;
        }
        return new PolicyRule(id, description, match, effect, approval, explain, hint, mode, m.location());
    }

    private String optString(YamlNode.MapNode m, String key, String path) {
        YamlNode n = Binder.get(m, key);
        return n == null ? null : b.string(n, path + '.' + key);
    }

    /** The path captures a rule's templates may use: those of its top-level {@code http.path} patterns. */
    private static Set<String> captures(Match match) {
        Set<String> out = new java.util.TreeSet<>();
        if (match.http() != null) {
            for (String p : match.http().path()) {
                try {
                    out.addAll(PathPattern.parse(p).captures());
                } catch (IllegalArgumentException e) {
                    // reported where the pattern was read
                }
            }
        }
        return out;
    }

    private String template(YamlNode.MapNode m, String key, String path, Set<String> captures) {
        String t = optString(m, key, path);
        if (t == null) {
            return null;
        }
        YamlNode n = Binder.get(m, key);
        int i = 0;
        while ((i = t.indexOf('{', i)) >= 0) {
            int end = t.indexOf('}', i);
            if (end < 0) {
                b.problem(n.location(), path + '.' + key, "unclosed '{' at offset " + i);
                return null;
            }
            String name = t.substring(i + 1, end);
            if (name.startsWith("path.")) {
                String capture = name.substring(5);
                if (!captures.contains(capture)) {
                    b.problem(n.location(), path + '.' + key, "unknown placeholder {" + name + "} ("
                            + (captures.isEmpty() ? "this rule's http.path captures nothing"
                            : "this rule's http.path captures: " + String.join(", ", captures)) + ")");
                }
            } else if (!PLACEHOLDERS.contains(name)) {
                b.problem(n.location(), path + '.' + key, "unknown placeholder {" + name + "} (expected one of: "
                        + String.join(", ", new java.util.TreeSet<>(PLACEHOLDERS)) + ", or path.<capture>)");
            }
            i = end + 1;
        }
        return t;
    }

    private Match match(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, MATCH);
        if (m == null) {
            return Match.always(node.location());
        }
        Match.IdentityMatch identity = null;
        Match.ConnectionMatch connection = null;
        Match.TimeMatch time = null;
        Match.SqlMatch sql = null;
        Match.SshMatch ssh = null;
        Match.HttpMatch http = null;
        List<Match> any = new ArrayList<>();
        List<Match> all = new ArrayList<>();
        Match not = null;
        for (YamlNode.Entry e : m.entries().values()) {
            String p = path + '.' + e.key();
            switch (e.key()) {
                case "identity" -> identity = identity(e.value(), p);
                case "connection" -> connection = connection(e.value(), p);
                case "time" -> time = time(e.value(), p);
                case "sql" -> sql = sql(e.value(), p);
                case "ssh" -> ssh = ssh(e.value(), p);
                case "http" -> http = http(e.value(), p);
                case "any" -> any = matchList(e.value(), p);
                case "all" -> all = matchList(e.value(), p);
                case "not" -> not = match(e.value(), p);
                default -> { /* reported by map() */ }
            }
        }
        int protocolCriteria = (sql != null ? 1 : 0) + (ssh != null ? 1 : 0) + (http != null ? 1 : 0);
        if (protocolCriteria > 1) {
            b.problem(m.location(), path, "sql, ssh and http criteria in one match block can never all hold (use any: [...])");
        }
        return new Match(identity, connection, time, sql, ssh, http, any, all, not, m.location());
    }

    private List<Match> matchList(YamlNode node, String path) {
        List<Match> out = new ArrayList<>();
        if (!(node instanceof YamlNode.ListNode l) || l.items().isEmpty()) {
            b.problem(node.location(), path, "got " + node.describe() + " (expected: a non-empty list of match blocks)");
            return out;
        }
        for (int i = 0; i < l.items().size(); i++) {
            out.add(match(l.items().get(i), path + '[' + i + ']'));
        }
        return out;
    }

    private Match.PartyMatch party(YamlNode.MapNode m, String path) {
        YamlNode n;
        List<String> subject = (n = Binder.get(m, "subject")) == null ? null : b.strings(n, path + ".subject");
        List<String> email = (n = Binder.get(m, "email")) == null ? null : b.strings(n, path + ".email", this::lowerString);
        List<String> groups = (n = Binder.get(m, "groups")) == null ? null : b.strings(n, path + ".groups");
        Map<String, List<String>> claims = (n = Binder.get(m, "claims")) == null ? null
                : b.multiMap(n, path + ".claims", Function.identity());
        return new Match.PartyMatch(subject, email, groups, claims);
    }

    private String lowerString(YamlNode node, String path) {
        String s = b.string(node, path);
        return s == null ? null : Binder.lower(s);
    }

    private Match.IdentityMatch identity(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, IDENTITY);
        if (m == null) {
            return null;
        }
        YamlNode n;
        List<String> groupsAll = (n = Binder.get(m, "groups_all")) == null ? null : b.strings(n, path + ".groups_all");
        Boolean delegated = (n = Binder.get(m, "delegated")) == null ? null : b.bool(n, path + ".delegated");
        Match.PartyMatch actor = null;
        Match.PartyMatch principal = null;
        if ((n = Binder.get(m, "actor")) != null) {
            YamlNode.MapNode am = b.map(n, path + ".actor", PARTY);
            actor = am == null ? null : party(am, path + ".actor");
        }
        if ((n = Binder.get(m, "principal")) != null) {
            YamlNode.MapNode pm = b.map(n, path + ".principal", PARTY);
            principal = pm == null ? null : party(pm, path + ".principal");
        }
        return new Match.IdentityMatch(party(m, path), groupsAll, delegated, actor, principal);
    }

    private Match.ConnectionMatch connection(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, CONNECTION);
        if (m == null) {
            return null;
        }
        YamlNode n;
        List<String> name = (n = Binder.get(m, "name")) == null ? null : b.strings(n, path + ".name");
        List<String> protocol = (n = Binder.get(m, "protocol")) == null ? null
                : b.strings(n, path + ".protocol", (v, p) -> b.oneOf(v, p, PROTOCOLS, Binder::lower));
        Map<String, List<String>> labels = (n = Binder.get(m, "labels")) == null ? null
                : b.multiMap(n, path + ".labels", Function.identity());
        return new Match.ConnectionMatch(name, protocol, labels);
    }

    private Match.TimeMatch time(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, TIME);
        if (m == null) {
            return null;
        }
        YamlNode n;
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        if ((n = Binder.get(m, "weekdays")) != null) {
            for (String d : b.strings(n, path + ".weekdays", (v, p) -> b.oneOf(v, p, WEEKDAYS.keySet(), Binder::lower))) {
                days.add(WEEKDAYS.get(d));
            }
        }
        LocalTime from = null;
        LocalTime to = null;
        if ((n = Binder.get(m, "between")) != null) {
            String s = b.string(n, path + ".between");
            java.util.regex.Matcher bm = s == null ? null : BETWEEN.matcher(s);
            if (bm != null && bm.matches()) {
                from = LocalTime.of(Integer.parseInt(bm.group(1)), Integer.parseInt(bm.group(2)));
                int toHour = Integer.parseInt(bm.group(3));
                to = toHour == 24 ? LocalTime.MAX : LocalTime.of(toHour, Integer.parseInt(bm.group(4)));
                if (from.equals(to)) {
                    b.problem(n.location(), path + ".between", "'" + s + "' is an empty window");
                }
            } else if (s != null) {
                b.problem(n.location(), path + ".between", "'" + s + "' (expected: HH:MM-HH:MM, e.g. 09:00-18:00)");
            }
        }
        ZoneId zone = ZoneOffset.UTC;
        if ((n = Binder.get(m, "timezone")) != null) {
            String s = b.string(n, path + ".timezone");
            if (s != null) {
                try {
                    zone = ZoneId.of(s);
                } catch (DateTimeException e) {
                    b.problem(n.location(), path + ".timezone", "'" + s + "' is not a time zone (expected e.g. Europe/Berlin or UTC)");
                }
            }
        }
        if (days.isEmpty() && from == null) {
            b.problem(m.location(), path, "names no weekdays and no window (expected: weekdays and/or between)");
        }
        return new Match.TimeMatch(days, from, to, zone);
    }

    private Match.SqlMatch sql(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, SQL);
        if (m == null) {
            return null;
        }
        YamlNode n;
        List<String> kind = (n = Binder.get(m, "kind")) == null ? null
                : b.strings(n, path + ".kind", (v, p) -> b.oneOf(v, p, PolicySettings.SQL_KINDS, Binder::lower));
        List<String> statement = (n = Binder.get(m, "statement")) == null ? null
                : b.strings(n, path + ".statement", (v, p) -> {
                    String s = b.string(v, p);
                    return s == null ? null : String.join(" ", s.trim().toUpperCase(Locale.ROOT).split("\\s+"));
                });
        List<String> tables = (n = Binder.get(m, "tables")) == null ? null : b.strings(n, path + ".tables", this::lowerString);
        List<String> read = (n = Binder.get(m, "tables_read")) == null ? null : b.strings(n, path + ".tables_read", this::lowerString);
        List<String> written = (n = Binder.get(m, "tables_written")) == null ? null
                : b.strings(n, path + ".tables_written", this::lowerString);
        List<String> functions = (n = Binder.get(m, "functions")) == null ? null
                : b.strings(n, path + ".functions", this::lowerString);
        boolean whereAbsent = false;
        if ((n = Binder.get(m, "where")) != null) {
            whereAbsent = b.oneOf(n, path + ".where", Set.of("absent"), Binder::lower) != null;
        }
        Boolean unparsed = (n = Binder.get(m, "unparsed")) == null ? null : b.bool(n, path + ".unparsed");
        return new Match.SqlMatch(kind, statement, tables, read, written, functions, whereAbsent, unparsed);
    }

    private Match.SshMatch ssh(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, SSH);
        if (m == null) {
            return null;
        }
        YamlNode n;
        List<String> program = (n = Binder.get(m, "program")) == null ? null : b.strings(n, path + ".program");
        List<String> argv = (n = Binder.get(m, "argv")) == null ? null : b.strings(n, path + ".argv");
        List<String> channel = (n = Binder.get(m, "channel")) == null ? null
                : b.strings(n, path + ".channel", (v, p) -> b.oneOf(v, p, CHANNELS, Binder::lower));
        List<String> transfer = (n = Binder.get(m, "transfer")) == null ? null
                : b.strings(n, path + ".transfer", (v, p) -> b.oneOf(v, p, TRANSFERS, Binder::lower));
        List<String> paths = (n = Binder.get(m, "paths")) == null ? null : b.strings(n, path + ".paths");
        return new Match.SshMatch(program, argv, channel, transfer, paths);
    }

    private Match.HttpMatch http(YamlNode node, String path) {
        YamlNode.MapNode m = b.map(node, path, HTTP);
        if (m == null) {
            return null;
        }
        YamlNode n;
        List<String> method = (n = Binder.get(m, "method")) == null ? null
                : b.strings(n, path + ".method", (v, p) -> {
                    String s = b.string(v, p);
                    return s == null ? null : s.toUpperCase(Locale.ROOT);
                });
        List<String> paths = (n = Binder.get(m, "path")) == null ? null : b.strings(n, path + ".path", (v, p) -> {
            String s = b.string(v, p);
            if (s != null) {
                try {
                    PathPattern.parse(s);
                } catch (IllegalArgumentException e) {
                    b.problem(v.location(), p, e.getMessage());
                    return null;
                }
            }
            return s;
        });
        Map<String, String> params = null;
        if ((n = Binder.get(m, "params")) != null) {
            params = b.singleMap(n, path + ".params", Function.identity());
            YamlNode.MapNode pm = n instanceof YamlNode.MapNode x ? x : null;
            if (paths == null) {
                b.problem(n.location(), path + ".params", "needs http.path patterns that capture the named segments");
            } else if (pm != null) {
                for (YamlNode.Entry e : pm.entries().values()) {
                    for (String pattern : paths) {
                        if (!PathPattern.parse(pattern).captures().contains(e.key())) {
                            b.problem(e.keyLocation(), path + ".params." + e.key(), "not captured by path pattern '"
                                    + pattern + "' (write the segment as {" + e.key() + "})");
                        }
                    }
                }
            }
        }
        Map<String, String> query = (n = Binder.get(m, "query")) == null ? null
                : b.singleMap(n, path + ".query", Function.identity());
        Map<String, String> headers = (n = Binder.get(m, "headers")) == null ? null
                : b.singleMap(n, path + ".headers", Binder::lower);
        Map<String, List<Match.BodyCondition>> body = null;
        if ((n = Binder.get(m, "body")) != null) {
            body = new LinkedHashMap<>();
            YamlNode.MapNode bm = b.map(n, path + ".body", null);
            if (bm != null) {
                for (YamlNode.Entry e : bm.entries().values()) {
                    body.put(e.key(), bodyConditions(e.value(), path + ".body." + e.key()));
                }
            }
        }
        return new Match.HttpMatch(method, paths, params, query, headers, body);
    }

    private List<Match.BodyCondition> bodyConditions(YamlNode node, String path) {
        List<Match.BodyCondition> out = new ArrayList<>();
        Set<String> ops = Set.of("eq", "ne", "gt", "gte", "lt", "lte", "in", "exists", "glob");
        YamlNode.MapNode m = b.map(node, path, ops);
        if (m == null) {
            return out;
        }
        if (m.entries().isEmpty()) {
            b.problem(m.location(), path, "empty mapping (expected: {op: value} with op one of eq, ne, gt, gte, lt, lte, in, exists, glob)");
        }
        for (YamlNode.Entry e : m.entries().values()) {
            if (!ops.contains(e.key())) {
                continue;
            }
            Match.BodyOp op = Match.BodyOp.valueOf(e.key().toUpperCase(Locale.ROOT));
            String p = path + '.' + e.key();
            YamlNode v = e.value();
            switch (op) {
                case EXISTS -> {
                    Boolean flag = b.bool(v, p);
                    if (flag != null) {
                        out.add(new Match.BodyCondition(op, List.of(flag.toString()), false));
                    }
                }
                case IN -> out.add(new Match.BodyCondition(op, b.strings(v, p), false));
                case GT, GTE, LT, LTE -> {
                    if (v instanceof YamlNode.Scalar s && (s.type() == YamlNode.ScalarType.INTEGER
                            || s.type() == YamlNode.ScalarType.DECIMAL)) {
                        out.add(new Match.BodyCondition(op, List.of(s.text()), true));
                    } else {
                        b.problem(v.location(), p, "got " + Binder.describeValue(v) + " (expected: a number)");
                    }
                }
                default -> {
                    if (v instanceof YamlNode.Scalar s && s.type() != YamlNode.ScalarType.NULL) {
                        boolean numeric = s.type() == YamlNode.ScalarType.INTEGER || s.type() == YamlNode.ScalarType.DECIMAL;
                        out.add(new Match.BodyCondition(op, List.of(s.text()), numeric));
                    } else {
                        b.problem(v.location(), p, "got " + v.describe() + " (expected: a scalar)");
                    }
                }
            }
        }
        return out;
    }
}
