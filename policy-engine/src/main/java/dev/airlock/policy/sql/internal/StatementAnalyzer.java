package dev.airlock.policy.sql.internal;

import dev.airlock.policy.sql.FunctionCatalogue;
import dev.airlock.policy.sql.PreparedChange;
import dev.airlock.policy.sql.PreparedStatements;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The structural analysis of one statement (a token range without its terminating semicolon). It reads the
 * statement's shape — heads, FROM lists, CTEs, function calls, targets — not the full grammar, and leans to
 * the more privileged reading wherever the shape is ambiguous. Iterative over the tokens with an explicit
 * stack, so time is linear and deep nesting cannot overflow the Java stack.
 */
public final class StatementAnalyzer {

    /** What the analysis is configured with. */
    public record Settings(FunctionCatalogue catalogue, SqlKind unknownFunctionKind, SqlKind unparsedKind,
                           int maxNesting) {
    }

    /** One statement's analysis, and whether it follows from the statement's shape alone (literals and parameters stripped). */
    public record Result(SqlStatement statement, boolean shapeDetermined) {
    }

    private final Tokens t;
    private final Settings settings;
    private final PreparedStatements prepared;
    private final int depth;

    private String type;
    private SqlKind kind;
    private final Set<TableRef> read = new LinkedHashSet<>();
    private final Set<TableRef> written = new LinkedHashSet<>();
    private final Set<String> functions = new LinkedHashSet<>();
    private final Set<String> cteNames = new HashSet<>();
    private boolean whereAbsent;
    private String unparsedReason;
    private boolean unknownFunctionSeen;
    /** The analysis read a literal's value or the session's prepared statements: not a function of the shape. */
    private boolean beyondShape;
    private int stmtFrom;
    private int stmtTo;

    private StatementAnalyzer(Tokens t, Settings settings, PreparedStatements prepared, int depth) {
        this.t = t;
        this.settings = settings;
        this.prepared = prepared;
        this.depth = depth;
    }

    /** Splits the token stream into statements as the server does: [from, to) pairs, empty ones dropped. */
    public static List<int[]> split(Tokens t) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        int parens = 0;
        int beginDepth = 0;
        boolean routine = false;
        for (int i = 0; i < t.size(); i++) {
            if (i == start) {
                routine = isRoutineStart(t, start);
            }
            TokenType ty = t.type(i);
            if (ty == TokenType.LPAREN || ty == TokenType.LBRACKET) {
                parens++;
            } else if (ty == TokenType.RPAREN || ty == TokenType.RBRACKET) {
                parens = Math.max(0, parens - 1);
            } else if (ty == TokenType.WORD && routine && parens == 0) {
                // psql's rule for SQL-standard routine bodies: CREATE [OR REPLACE] FUNCTION|PROCEDURE ...
                // BEGIN ATOMIC ... END may hold semicolons (CASE ... END nests inside).
                // only BEGIN ATOMIC opens a body: a function named "begin" must not swallow what follows
                String w = t.text(i);
                if (w.equals("begin") && (beginDepth > 0 || t.isWord(i + 1, "atomic"))) {
                    beginDepth++;
                } else if (w.equals("case") && beginDepth > 0) {
                    beginDepth++;
                } else if (w.equals("end") && beginDepth > 0) {
                    beginDepth--;
                }
            } else if (ty == TokenType.SEMICOLON && parens == 0 && beginDepth == 0) {
                if (i > start) {
                    out.add(new int[] {start, i});
                }
                start = i + 1;
            }
        }
        if (t.size() > start) {
            out.add(new int[] {start, t.size()});
        }
        return out;
    }

    private static boolean isRoutineStart(Tokens t, int s) {
        if (!t.isWord(s, "create")) {
            return false;
        }
        int o = t.isWord(s + 1, "or") && t.isWord(s + 2, "replace") ? s + 3 : s + 1;
        return t.isWord(o, "function") || t.isWord(o, "procedure");
    }

    /** Analyses tokens [from, to); an {@code EXECUTE} is not resolved. */
    public static SqlStatement analyze(Tokens t, int from, int to, Settings settings) {
        return analyze(t, from, to, settings, PreparedStatements.NONE).statement();
    }

    /** Analyses tokens [from, to), resolving {@code EXECUTE name} through {@code prepared}. */
    public static Result analyze(Tokens t, int from, int to, Settings settings, PreparedStatements prepared) {
        StatementAnalyzer a = new StatementAnalyzer(t, settings, prepared, 0);
        a.run(from, to);
        return new Result(a.result(), !a.beyondShape);
    }

    /**
     * What the statement [from, to) does to the session's SQL-level prepared statements once it has run
     * ({@code PREPARE}, {@code DEALLOCATE}, {@code DISCARD ALL}), or {@code null} when nothing. A {@code PREPARE}
     * too malformed to read its statement from comes back as a deallocation of its name: whatever the server did
     * with it, the name no longer stands for a known statement.
     */
    public static PreparedChange preparedChange(Tokens t, int from, int to, String source) {
        String w = t.is(from, TokenType.WORD) ? t.text(from) : "";
        switch (w) {
            case "prepare" -> {
                if (t.isWord(from + 1, "transaction") || !t.isName(from + 1)) {
                    return null;
                }
                String name = t.text(from + 1);
                int i = from + 2;
                if (t.is(i, TokenType.LPAREN)) {
                    i = closingParen(t, i, to) + 1;
                }
                if (i <= 0 || !t.isWord(i, "as") || i + 1 >= to) {
                    return new PreparedChange.Deallocate(name);
                }
                int end = to < t.size() ? t.start(to) : source.length();
                return new PreparedChange.Prepare(name, source.substring(t.start(i + 1), end).strip());
            }
            case "deallocate" -> {
                int i = t.isWord(from + 1, "prepare") && t.isName(from + 2) ? from + 2 : from + 1;
                if (t.isWord(i, "all") && i + 1 == to) {
                    return new PreparedChange.DeallocateAll();
                }
                return t.isName(i) ? new PreparedChange.Deallocate(t.text(i)) : null;
            }
            case "discard" -> {
                return t.isWord(from + 1, "all") ? new PreparedChange.DeallocateAll() : null;
            }
            default -> {
                return null;
            }
        }
    }

    private static int closingParen(Tokens t, int i, int to) {
        int d = 0;
        for (int k = i; k < to; k++) {
            if (t.is(k, TokenType.LPAREN)) {
                d++;
            } else if (t.is(k, TokenType.RPAREN) && --d == 0) {
                return k;
            }
        }
        return -1;
    }

    private SqlStatement result() {
        SqlKind k = kind == null ? SqlKind.READ : kind;
        if (unparsedReason != null) {
            k = k.max(settings.unparsedKind());
        }
        for (String cte : cteNames) {
            read.remove(new TableRef(null, cte));
        }
        return new SqlStatement(type == null ? "UNKNOWN" : type, k, read, written, functions, whereAbsent,
                unparsedReason);
    }

    private void raise(SqlKind k) {
        kind = kind == null ? k : kind.max(k);
    }

    private void unparsed(String reason) {
        if (unparsedReason == null) {
            unparsedReason = reason;
        }
    }

    private String word(int i) {
        return t.is(i, TokenType.WORD) ? t.text(i) : "";
    }

    // ---------------------------------------------------------------------------------------------------
    // dispatch on the first words

    private void run(int from, int to) {
        stmtFrom = from;
        stmtTo = to;
        if (depth > 4) {
            unparsed("statements nested too deeply");
            return;
        }
        if (from >= to) {
            type = "UNKNOWN";
            unparsed("empty statement");
            return;
        }
        if (t.is(from, TokenType.LPAREN)) {
            query(from, to, "SELECT");
            return;
        }
        if (!t.is(from, TokenType.WORD)) {
            type = "UNKNOWN";
            unparsed("statement does not start with a keyword");
            return;
        }
        String w = t.text(from);
        String w1 = word(from + 1);
        switch (w) {
            case "select", "values", "table", "with", "insert", "update", "delete", "merge" -> query(from, to, null);
            case "copy" -> copy(from, to);
            case "explain" -> explain(from, to);
            case "prepare" -> {
                if (w1.equals("transaction")) {
                    simple("PREPARE TRANSACTION", SqlKind.TRANSACTION);
                } else {
                    prepare(from, to);
                }
            }
            case "execute" -> execute(from, to);
            case "deallocate" -> simple("DEALLOCATE", SqlKind.SESSION);
            case "declare" -> declare(from, to);
            case "fetch" -> simple("FETCH", SqlKind.READ);
            case "move" -> simple("MOVE", SqlKind.READ);
            case "close" -> simple("CLOSE CURSOR", SqlKind.READ);
            case "do" -> simple("DO", SqlKind.SERVER_CODE);
            case "call" -> call(from, to);
            case "begin" -> simple("BEGIN", SqlKind.TRANSACTION);
            case "start" -> simple("START TRANSACTION", SqlKind.TRANSACTION);
            case "commit" -> simple(w1.equals("prepared") ? "COMMIT PREPARED" : "COMMIT", SqlKind.TRANSACTION);
            case "end" -> simple("COMMIT", SqlKind.TRANSACTION);
            case "rollback" -> simple(w1.equals("prepared") ? "ROLLBACK PREPARED" : "ROLLBACK", SqlKind.TRANSACTION);
            case "abort" -> simple("ROLLBACK", SqlKind.TRANSACTION);
            case "savepoint" -> simple("SAVEPOINT", SqlKind.TRANSACTION);
            case "release" -> simple("RELEASE", SqlKind.TRANSACTION);
            case "set" -> set(from);
            case "reset" -> simple("RESET", SqlKind.SESSION);
            case "show" -> simple("SHOW", SqlKind.SESSION);
            case "discard" -> simple("DISCARD", SqlKind.SESSION);
            case "listen" -> simple("LISTEN", SqlKind.SESSION);
            case "unlisten" -> simple("UNLISTEN", SqlKind.SESSION);
            case "notify" -> simple("NOTIFY", SqlKind.WRITE);
            case "load" -> simple("LOAD", SqlKind.ADMIN);
            case "vacuum" -> simple("VACUUM", SqlKind.ADMIN);
            case "analyze", "analyse" -> simple("ANALYZE", SqlKind.ADMIN);
            case "cluster" -> simple("CLUSTER", SqlKind.ADMIN);
            case "reindex" -> simple("REINDEX", SqlKind.ADMIN);
            case "checkpoint" -> simple("CHECKPOINT", SqlKind.ADMIN);
            case "lock" -> lock(from, to);
            case "truncate" -> truncate(from, to);
            case "refresh" -> refresh(from, to);
            case "grant" -> simple("GRANT", SqlKind.DCL);
            case "revoke" -> simple("REVOKE", SqlKind.DCL);
            case "reassign" -> simple("REASSIGN OWNED", SqlKind.DCL);
            case "security" -> simple("SECURITY LABEL", SqlKind.DCL);
            case "comment" -> simple("COMMENT", SqlKind.DDL);
            case "import" -> simple("IMPORT FOREIGN SCHEMA", SqlKind.DDL);
            case "create" -> create(from, to);
            case "alter" -> alter(from, to);
            case "drop" -> drop(from, to);
            default -> {
                type = "UNKNOWN";
                unparsed("unrecognised statement \"" + w.toUpperCase(java.util.Locale.ROOT) + "\"");
            }
        }
    }

    private void simple(String tag, SqlKind k) {
        type = tag;
        raise(k);
    }

    // ---------------------------------------------------------------------------------------------------
    // names

    /** Index after the (possibly qualified) name starting at i; -1 when there is no name at i. */
    private int nameEnd(int i, int to) {
        if (i >= to || !t.isName(i)) {
            return -1;
        }
        int j = i + 1;
        while (j + 1 < to && t.is(j, TokenType.DOT) && t.isName(j + 1)) {
            j += 2;
        }
        return j;
    }

    private TableRef tableRef(int i, int end) {
        int parts = (end - i + 1) / 2;
        String name = t.text(end - 1);
        String schema = parts >= 2 ? t.text(end - 3) : null;
        return new TableRef(schema, name);
    }

    private String qualified(int i, int end) {
        StringBuilder b = new StringBuilder();
        for (int k = i; k < end; k += 2) {
            if (k > i) {
                b.append('.');
            }
            b.append(t.text(k));
        }
        return b.toString();
    }

    /** Reads "[ONLY] name [*]" at i as a table; returns the index after it, or -1. */
    private int table(int i, int to, boolean write) {
        if (t.isWord(i, "only")) {
            i++;
        }
        int end = nameEnd(i, to);
        if (end < 0) {
            return -1;
        }
        (write ? written : read).add(tableRef(i, end));
        if (t.isOp(end, "*")) {
            end++;
        }
        return end;
    }

    /**
     * {@code set_config(setting, value, is_local)} is {@code SET setting}: a session setting, or DCL for
     * {@code role} and {@code session_authorization}, which switch identity. The setting is believed only when the
     * statement pins it down — a plain literal, or pg_dump's
     * {@code SELECT set_config(name, …) FROM pg_settings WHERE name = '<literal>'} — else the call stays DCL.
     */
    private void setConfig(String name, int i, int paren, boolean executes) {
        functions.add(name);
        String setting = null;
        if (t.is(paren + 2, TokenType.COMMA)) {
            if (t.is(paren + 1, TokenType.STRING)) {
                setting = t.plainWord(paren + 1);
            } else if (t.isWord(paren + 1, "name")) {
                setting = pgSettingsRow(i, paren);
            }
        }
        if (setting != null) {
            beyondShape = true; // another literal, another kind: never answer this shape from the cache
            setting = setting.toLowerCase(java.util.Locale.ROOT);
        }
        if (executes) {
            raise(setting == null || setting.equals("role") || setting.equals("session_authorization")
                    ? SqlKind.DCL : SqlKind.SESSION);
        }
    }

    /**
     * The setting of {@code SELECT [pg_catalog.]set_config(name, …) FROM [pg_catalog.]pg_settings WHERE name = '<x>'}
     * when that is the whole statement and the call at [i, paren) its only target: {@code x}. Otherwise null.
     */
    private String pgSettingsRow(int i, int paren) {
        if (!t.isWord(stmtFrom, "select") || i != stmtFrom + 1) {
            return null;
        }
        int k = closing(paren, stmtTo) + 1;
        if (k <= 0 || !t.isWord(k, "from")) {
            return null;
        }
        k++;
        if (t.isWord(k, "pg_catalog") && t.is(k + 1, TokenType.DOT)) {
            k += 2;
        }
        if (t.isWord(k, "pg_settings") && t.isWord(k + 1, "where") && t.isWord(k + 2, "name") && t.isOp(k + 3, "=")
                && k + 5 == stmtTo) {
            return t.plainWord(k + 4);
        }
        return null;
    }

    private void function(String name, boolean executes) {
        functions.add(name);
        SqlKind k = settings.catalogue().kindOf(name);
        if (k == null) {
            unknownFunctionSeen = true;
            k = settings.unknownFunctionKind();
        }
        if (executes) {
            raise(k);
        }
    }

    /** Index of the parenthesis closing the one at i, or -1. */
    private int closing(int i, int to) {
        int d = 0;
        for (int k = i; k < to; k++) {
            TokenType ty = t.type(k);
            if (ty == TokenType.LPAREN || ty == TokenType.LBRACKET) {
                d++;
            } else if (ty == TokenType.RPAREN || ty == TokenType.RBRACKET) {
                if (--d == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    private int findWord(int from, int to, String w) {
        int d = 0;
        for (int k = from; k < to; k++) {
            TokenType ty = t.type(k);
            if (ty == TokenType.LPAREN || ty == TokenType.LBRACKET) {
                d++;
            } else if (ty == TokenType.RPAREN || ty == TokenType.RBRACKET) {
                d--;
            } else if (d == 0 && ty == TokenType.WORD && t.text(k).equals(w)) {
                return k;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------------
    // statements with an inner statement

    private StatementAnalyzer inner(int from, int to) {
        StatementAnalyzer a = new StatementAnalyzer(t, settings, prepared, depth + 1);
        a.run(from, to);
        merge(a);
        return a;
    }

    private void merge(StatementAnalyzer a) {
        beyondShape |= a.beyondShape;
        read.addAll(a.read);
        written.addAll(a.written);
        functions.addAll(a.functions);
        cteNames.addAll(a.cteNames);
        whereAbsent |= a.whereAbsent;
        unknownFunctionSeen |= a.unknownFunctionSeen;
        if (a.unparsedReason != null) {
            unparsed(a.unparsedReason);
        }
    }

    /**
     * EXECUTE name [(arguments)]: the arguments are evaluated, then the statement prepared under that name runs. The
     * session's prepared statements say what that is (re-read here, so current analysis settings apply); when they
     * do not know it, the statement stays unparsed.
     */
    private void execute(int from, int to) {
        type = "EXECUTE";
        beyondShape = true;
        int i = from + 1;
        if (!t.isName(i)) {
            unparsed("EXECUTE without a statement name");
            return;
        }
        if (t.is(i + 1, TokenType.LPAREN)) {
            int close = closing(i + 1, to);
            if (close != to - 1) {
                unparsed("unexpected tokens after EXECUTE's arguments");
                return;
            }
            walk(i + 2, close, true, false, false);
        } else if (i + 1 != to) {
            unparsed("unexpected tokens after EXECUTE's statement name");
            return;
        }
        String text = prepared.lookup(t.text(i));
        if (text == null) {
            unparsed("EXECUTE runs a prepared statement whose text is not tracked");
            return;
        }
        Tokens pt;
        try {
            pt = SqlLexer.lex(text);
        } catch (SqlSyntaxException e) {
            unparsed("the prepared statement " + t.text(i) + " does not lex: " + e.getMessage());
            return;
        }
        List<int[]> ranges = split(pt);
        if (ranges.size() != 1) {
            unparsed("the prepared statement " + t.text(i) + " is not one statement");
            return;
        }
        StatementAnalyzer a = new StatementAnalyzer(pt, settings, prepared, depth + 1);
        a.run(ranges.get(0)[0], ranges.get(0)[1]);
        // its CTE names mean something in its own text only: take them out of its reads here, not from the arguments'
        for (String cte : a.cteNames) {
            a.read.remove(new TableRef(null, cte));
        }
        a.cteNames.clear();
        merge(a);
        raise(a.kind == null ? SqlKind.READ : a.kind);
        if (a.type != null) {
            type = a.type; // the server tags an EXECUTE with the prepared statement's command tag
        }
    }

    private void explain(int from, int to) {
        type = "EXPLAIN";
        boolean analyze = false;
        int i = from + 1;
        if (t.is(i, TokenType.LPAREN)) {
            int close = closing(i, to);
            if (close < 0) {
                unparsed("unbalanced parentheses");
                return;
            }
            int k = i + 1;
            while (k < close) {
                String opt = word(k);
                if (opt.equals("analyze") || opt.equals("analyse")) {
                    // any value other than false/off counts as on: 0 and 'off' are read as on, which is only
                    // ever more privileged, and keeps the result independent of literals (it is cached by shape)
                    analyze = !(t.isWord(k + 1, "false") || t.isWord(k + 1, "off"));
                }
                while (k < close && !t.is(k, TokenType.COMMA)) {
                    k++;
                }
                k++;
            }
            i = close + 1;
        } else {
            while (t.isWord(i, "analyze") || t.isWord(i, "analyse") || t.isWord(i, "verbose")) {
                analyze |= !t.isWord(i, "verbose");
                i++;
            }
        }
        StatementAnalyzer a = inner(i, to);
        if (analyze) {
            raise(a.kind == null ? SqlKind.READ : a.kind);
        } else {
            // the plan is made, not run; the planner may still evaluate functions it believes immutable
            raise(SqlKind.READ);
            if (a.unknownFunctionSeen) {
                raise(settings.unknownFunctionKind());
            }
        }
    }

    private void prepare(int from, int to) {
        type = "PREPARE";
        int as = findWord(from + 1, to, "as");
        if (as < 0) {
            unparsed("PREPARE without AS");
            return;
        }
        StatementAnalyzer a = inner(as + 1, to);
        raise(a.kind == null ? SqlKind.READ : a.kind);
    }

    private void declare(int from, int to) {
        type = "DECLARE CURSOR";
        int cursor = findWord(from + 1, to, "cursor");
        int f = cursor < 0 ? -1 : findWord(cursor + 1, to, "for");
        if (f < 0) {
            unparsed("DECLARE without CURSOR … FOR");
            return;
        }
        StatementAnalyzer a = inner(f + 1, to);
        raise(a.kind == null ? SqlKind.READ : a.kind);
    }

    private void call(int from, int to) {
        type = "CALL";
        raise(SqlKind.SERVER_CODE);
        int end = nameEnd(from + 1, to);
        if (end < 0 || !t.is(end, TokenType.LPAREN)) {
            unparsed("CALL without a procedure call");
            return;
        }
        String name = qualified(from + 1, end);
        functions.add(name);
        // CALL runs a procedure: never less than server code, whatever the catalogue says of a function of
        // that name (CALL version() runs a user's procedure "version" when search_path puts it first)
        SqlKind k = settings.catalogue().kindOf(name);
        if (k != null) {
            raise(k);
        }
        walk(end, to, true, false, false);
    }

    // ---------------------------------------------------------------------------------------------------
    // COPY

    private void copy(int from, int to) {
        type = "COPY";
        int i = from + 1;
        if (t.isWord(i, "binary")) {
            i++;
        }
        boolean query = false;
        if (t.is(i, TokenType.LPAREN)) {
            int close = closing(i, to);
            if (close < 0) {
                unparsed("unbalanced parentheses");
                return;
            }
            StatementAnalyzer a = inner(i + 1, close);
            raise(a.kind == null ? SqlKind.READ : a.kind);
            i = close + 1;
            query = true;
        } else {
            int end = nameEnd(i, to);
            if (end < 0) {
                unparsed("COPY without a table");
                return;
            }
            int tableStart = i;
            i = end;
            if (t.is(i, TokenType.LPAREN)) {
                int close = closing(i, to);
                if (close < 0) {
                    unparsed("unbalanced parentheses");
                    return;
                }
                i = close + 1;
            }
            boolean fromDirection = t.isWord(i, "from");
            (fromDirection ? written : read).add(tableRef(tableStart, end));
        }
        boolean fromDirection = t.isWord(i, "from");
        if (!fromDirection && !t.isWord(i, "to")) {
            unparsed("COPY without FROM or TO");
            return;
        }
        if (query && fromDirection) {
            unparsed("COPY (query) FROM");
            return;
        }
        i++;
        if (t.isWord(i, "program")) {
            raise(SqlKind.SERVER_CODE);
        } else if (t.isWord(i, "stdin") || t.isWord(i, "stdout")) {
            raise(fromDirection ? SqlKind.WRITE : SqlKind.EXPORT);
        } else if (t.is(i, TokenType.STRING) || t.is(i, TokenType.NUMBER) || t.is(i, TokenType.PARAM)) {
            // a server-side file: read into a table, or written by the server
            raise(SqlKind.EXPORT);
        } else {
            unparsed("COPY to or from an unrecognised target");
            return;
        }
        if (fromDirection) {
            raise(SqlKind.WRITE);
        }
        // options (FORCE_NULL (a) …) name columns, not calls; only a WHERE clause evaluates expressions
        int where = findWord(i + 1, to, "where");
        if (where >= 0) {
            walk(where, to, true, false, false);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // SET, LOCK, TRUNCATE, REFRESH

    private void set(int from) {
        type = "SET";
        int i = from + 1;
        // SET [LOCAL | SESSION] set_rest, where set_rest itself may be SESSION AUTHORIZATION … or
        // SESSION CHARACTERISTICS …
        if ((t.isWord(i, "session") || t.isWord(i, "local"))
                && !(t.isWord(i, "session") && (t.isWord(i + 1, "authorization")
                || t.isWord(i + 1, "characteristics")))) {
            i++;
        }
        if (t.isWord(i, "session") && t.isWord(i + 1, "characteristics")) {
            raise(SqlKind.TRANSACTION);
            return;
        }
        if (t.isWord(i, "session") && t.isWord(i + 1, "authorization")) {
            raise(SqlKind.DCL);
            return;
        }
        // GUC names are matched case-insensitively, quoted or not: SET "Role" = x is SET ROLE
        String name = t.isName(i) ? t.text(i).toLowerCase(java.util.Locale.ROOT) : "";
        if (name.equals("role") || name.equals("session_authorization")
                || t.isWord(i, "authorization") && t.isWord(i - 1, "session")) {
            raise(SqlKind.DCL);
        } else if (t.isWord(i, "transaction") || t.isWord(i, "constraints")) {
            raise(SqlKind.TRANSACTION);
        } else {
            raise(SqlKind.SESSION);
        }
    }

    private void lock(int from, int to) {
        type = "LOCK TABLE";
        // ACCESS SHARE is the lock a SELECT takes on what it reads, and conflicts only with ACCESS EXCLUSIVE: taking
        // it explicitly (pg_dump does, on every table it dumps) holds up no more than reading the table would. Any
        // other mode, and LOCK without IN … MODE (ACCESS EXCLUSIVE), keeps writers or readers out: a write.
        int m = findWord(from + 1, to, "in");
        boolean accessShare = m > 0 && t.isWord(m + 1, "access") && t.isWord(m + 2, "share") && t.isWord(m + 3, "mode")
                && (m + 4 == to || m + 5 == to && t.isWord(m + 4, "nowait"));
        raise(accessShare ? SqlKind.READ : SqlKind.WRITE);
        int i = from + 1;
        if (t.isWord(i, "table")) {
            i++;
        }
        tableList(i, to, false);
    }

    private void truncate(int from, int to) {
        type = "TRUNCATE TABLE";
        raise(SqlKind.WRITE);
        int i = from + 1;
        if (t.isWord(i, "table")) {
            i++;
        }
        tableList(i, to, true);
    }

    private void tableList(int i, int to, boolean write) {
        while (true) {
            int end = table(i, to, write);
            if (end < 0) {
                unparsed("expected a table name");
                return;
            }
            if (!t.is(end, TokenType.COMMA)) {
                return;
            }
            i = end + 1;
        }
    }

    private void refresh(int from, int to) {
        type = "REFRESH MATERIALIZED VIEW";
        raise(SqlKind.WRITE);
        int i = from + 1;
        while (t.isWord(i, "materialized") || t.isWord(i, "view") || t.isWord(i, "concurrently")) {
            i++;
        }
        if (table(i, to, true) < 0) {
            unparsed("expected a materialized view name");
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // CREATE, ALTER, DROP

    private static final Set<String> CREATE_MODIFIERS = Set.of("or", "replace", "temp", "temporary", "local",
            "global", "unlogged", "unique", "default", "trusted", "procedural", "recursive", "constraint");

    /** The object words after CREATE/ALTER/DROP, e.g. "MATERIALIZED VIEW"; returns [tag, indexAfter]. */
    private Object[] objectType(int i, int to, boolean create) {
        if (create) {
            while (i < to && t.is(i, TokenType.WORD) && CREATE_MODIFIERS.contains(t.text(i))) {
                i++;
            }
        }
        String w = word(i);
        String w1 = word(i + 1);
        int n = 1;
        switch (w) {
            case "materialized", "foreign", "event", "user", "access" -> {
                if (w.equals("foreign") && w1.equals("data")) {
                    n = 3;
                } else if (w.equals("user") && !w1.equals("mapping")) {
                    n = 1;
                } else {
                    n = 2;
                }
            }
            case "text" -> n = w1.equals("search") ? 3 : 1;
            case "operator" -> n = w1.equals("class") || w1.equals("family") ? 2 : 1;
            case "default" -> n = 2;
            default -> n = 1;
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < n; k++) {
            String x = word(i + k);
            if (x.isEmpty()) {
                break;
            }
            if (k > 0) {
                b.append(' ');
            }
            b.append(x.toUpperCase(java.util.Locale.ROOT));
        }
        return new Object[] {b.toString(), i + n};
    }

    private static final Set<String> DCL_OBJECTS = Set.of("ROLE", "USER", "GROUP", "USER MAPPING", "POLICY");

    private SqlKind ddlKind(String object) {
        if (DCL_OBJECTS.contains(object)) {
            return SqlKind.DCL;
        }
        if (object.equals("EXTENSION") || object.equals("LANGUAGE") || object.equals("SYSTEM")
                || object.equals("EVENT TRIGGER") || object.equals("SUBSCRIPTION")
                || object.equals("FOREIGN DATA WRAPPER") || object.equals("ACCESS METHOD")) {
            return SqlKind.ADMIN;
        }
        return SqlKind.DDL;
    }

    private int skipIfNotExists(int i) {
        if (t.isWord(i, "if") && t.isWord(i + 1, "not") && t.isWord(i + 2, "exists")) {
            return i + 3;
        }
        if (t.isWord(i, "if") && t.isWord(i + 1, "exists")) {
            return i + 2;
        }
        return i;
    }

    private void create(int from, int to) {
        Object[] ot = objectType(from + 1, to, true);
        String object = (String) ot[0];
        int i = (int) ot[1];
        type = "CREATE " + object;
        raise(ddlKind(object));
        switch (object) {
            case "TABLE", "MATERIALIZED VIEW", "FOREIGN TABLE" -> {
                i = skipIfNotExists(i);
                int end = nameEnd(i, to);
                if (end < 0) {
                    unparsed("expected a table name");
                    return;
                }
                written.add(tableRef(i, end));
                int as = findWord(end, to, "as");
                if (as >= 0 && !object.equals("FOREIGN TABLE")) {
                    if (object.equals("TABLE")) {
                        type = "CREATE TABLE AS";
                    }
                    int q = as + 1;
                    // opt_with_data ends the statement; WITH NO DATA defines the relation without planning or
                    // running the query (an EXECUTE still evaluates its parameters: it stays unparsed)
                    int stop = to;
                    boolean noData = false;
                    if (t.isWord(to - 1, "data") && t.isWord(to - 2, "with")) {
                        stop = to - 2;
                    } else if (t.isWord(to - 1, "data") && t.isWord(to - 2, "no") && t.isWord(to - 3, "with")) {
                        stop = to - 3;
                        noData = true;
                    }
                    StatementAnalyzer a = inner(q, stop);
                    if (!noData) {
                        raise(a.kind == null ? SqlKind.READ : a.kind);
                    }
                } else {
                    walk(end, to, false, true, false);
                }
            }
            case "VIEW" -> {
                int end = nameEnd(i, to);
                if (end < 0) {
                    unparsed("expected a view name");
                    return;
                }
                written.add(tableRef(i, end));
                int as = findWord(end, to, "as");
                if (as < 0) {
                    unparsed("CREATE VIEW without AS");
                    return;
                }
                StatementAnalyzer a = new StatementAnalyzer(t, settings, prepared, depth + 1);
                a.run(as + 1, to);
                read.addAll(a.read);
                functions.addAll(a.functions);
                if (a.unparsedReason != null) {
                    unparsed(a.unparsedReason);
                }
                // a view is defined, not run: its reads and calls happen when it is used
            }
            case "INDEX" -> {
                int on = findWord(i, to, "on");
                if (on < 0) {
                    unparsed("CREATE INDEX without ON");
                    return;
                }
                int end = table(on + 1, to, true);
                if (end < 0) {
                    unparsed("expected a table name");
                    return;
                }
                if (t.isWord(end, "using") && t.isName(end + 1)) {
                    end += 2; // the access method, not a call
                }
                walk(end, to, true, true, false);
            }
            case "RULE", "TRIGGER", "POLICY" -> {
                int on = object.equals("RULE") ? findWord(i, to, "to") : findWord(i, to, "on");
                if (on >= 0 && !object.equals("POLICY")) {
                    table(on + 1, to, true);
                } else if (on >= 0) {
                    table(on + 1, to, false);
                }
            }
            default -> {
                // definitions: nothing runs now
            }
        }
    }

    private void alter(int from, int to) {
        Object[] ot = objectType(from + 1, to, false);
        String object = (String) ot[0];
        int i = (int) ot[1];
        type = "ALTER " + object;
        if (object.equals("DEFAULT PRIVILEGES")) {
            raise(SqlKind.DCL);
            return;
        }
        if (object.equals("EXTENSION") && findWord(i, to, "update") < 0) {
            raise(SqlKind.DDL);
            return;
        }
        SqlKind objectKind = object.equals("LANGUAGE") ? SqlKind.DDL : ddlKind(object);
        if (objectKind != SqlKind.DDL && !ROLE_OBJECTS.contains(object) && renamesOrChangesOwner(object, i, to)) {
            // renaming an event trigger, a policy, a subscription … or giving it a new owner changes a name,
            // not what it does or who may do what
            raise(SqlKind.DDL);
            return;
        }
        raise(objectKind);
        if (object.equals("DOMAIN")) {
            // ADD CONSTRAINT … CHECK validates the existing data: its calls run now
            walk(i, to, true, true, false);
            return;
        }
        if (object.equals("TABLE") || object.equals("FOREIGN TABLE") || object.equals("MATERIALIZED VIEW")) {
            i = skipIfNotExists(i);
            if (t.isWord(i, "all")) {
                return;
            }
            int end = table(i, to, true);
            if (end < 0) {
                unparsed("expected a table name");
                return;
            }
            walk(end, to, true, true, false);
        }
    }

    private static final Set<String> ROLE_OBJECTS = Set.of("ROLE", "USER", "GROUP");

    /**
     * Exactly {@code ALTER <object> name RENAME TO new | OWNER TO role} (for a policy
     * {@code ALTER POLICY name ON table RENAME TO new}), the whole statement: any other clause keeps the kind.
     */
    private boolean renamesOrChangesOwner(String object, int i, int to) {
        int k = nameEnd(i, to);
        if (k >= 0 && object.equals("POLICY")) {
            k = t.isWord(k, "on") ? nameEnd(k + 1, to) : -1;
        }
        return k >= 0 && (t.isWord(k, "rename") || t.isWord(k, "owner")) && t.isWord(k + 1, "to")
                && t.isName(k + 2) && k + 3 == to;
    }

    private void drop(int from, int to) {
        Object[] ot = objectType(from + 1, to, false);
        String object = (String) ot[0];
        int i = (int) ot[1];
        type = "DROP " + object;
        if (object.equals("OWNED")) {
            raise(SqlKind.DCL);
            return;
        }
        raise(ddlKind(object));
        if (object.equals("TABLE") || object.equals("VIEW") || object.equals("MATERIALIZED VIEW")
                || object.equals("FOREIGN TABLE")) {
            i = skipIfNotExists(i);
            tableList(i, to, true);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // queries and data-modifying statements

    private enum Dml { NONE, SELECT, INSERT, UPDATE, DELETE, MERGE }

    private enum Cte { NONE, EXPECT_NAME, AFTER_NAME, EXPECT_BODY, AFTER_BODY, SEARCH_CYCLE }

    private static final class Frame {
        final TokenType closer;
        boolean headPos;
        boolean fromList;
        boolean expectTable;
        boolean noFrom;
        boolean cteBody;
        boolean sawWhere;
        boolean usingSeen;
        Dml dml = Dml.NONE;
        Cte cte = Cte.NONE;

        Frame(TokenType closer) {
            this.closer = closer;
        }
    }

    private void query(int from, int to, String defaultType) {
        if (defaultType != null) {
            type = defaultType;
        }
        walk(from, to, true, false, true);
        if (type == null) {
            type = "SELECT";
        }
        raise(SqlKind.READ); // a query reads, whatever less its calls do (set_config is a SESSION call)
    }

    /**
     * The structural walk over [from, to): statement heads, FROM lists, CTEs, function calls, locking
     * clauses. {@code executes}: calls found here run now (else they are only defined). {@code ddl}: names
     * after DDL words followed by a parenthesis are objects, not calls.
     */
    private void walk(int from, int to, boolean executes, boolean ddl, boolean statementStart) {
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        Frame f = new Frame(null);
        f.headPos = statementStart;
        for (int i = from; i < to; i++) {
            TokenType ty = t.type(i);
            switch (ty) {
                case LPAREN, LBRACKET -> {
                    if (stack.size() >= settings.maxNesting()) {
                        unparsed("nesting deeper than " + settings.maxNesting() + " levels");
                        return;
                    }
                    Frame nf = new Frame(ty == TokenType.LPAREN ? TokenType.RPAREN : TokenType.RBRACKET);
                    nf.noFrom = pendingNoFrom;
                    pendingNoFrom = false;
                    if (f.cte == Cte.EXPECT_BODY) {
                        nf.headPos = true;
                        nf.cteBody = true;
                    } else if (f.cte == Cte.AFTER_NAME) {
                        nf.headPos = false; // column list
                    } else if (f.expectTable && ty == TokenType.LPAREN) {
                        String next = word(i + 1);
                        if (next.equals("select") || next.equals("values") || next.equals("with")
                                || next.equals("table") || t.is(i + 1, TokenType.LPAREN)) {
                            nf.headPos = true;
                        } else {
                            nf.fromList = true;
                            nf.expectTable = true;
                        }
                        f.expectTable = false;
                    } else {
                        nf.headPos = true;
                    }
                    f.headPos = false;
                    stack.push(f);
                    f = nf;
                }
                case RPAREN, RBRACKET -> {
                    if (stack.isEmpty() || f.closer != ty) {
                        unparsed("unbalanced parentheses");
                        return;
                    }
                    closeFrame(f);
                    boolean cteBody = f.cteBody;
                    f = stack.pop();
                    if (cteBody) {
                        f.cte = Cte.AFTER_BODY;
                    }
                }
                case COMMA -> {
                    if (f.cte == Cte.AFTER_BODY || f.cte == Cte.SEARCH_CYCLE) {
                        if (t.isName(i + 1) && (t.isWord(i + 2, "as") || t.is(i + 2, TokenType.LPAREN))) {
                            f.cte = Cte.EXPECT_NAME;
                        }
                    } else if (f.fromList) {
                        f.expectTable = true;
                    }
                    f.headPos = false;
                }
                case SEMICOLON -> {
                    // only reached inside parentheses (rule actions); anywhere else the server rejects it
                    if (!ddl) {
                        unparsed("semicolon inside parentheses");
                    }
                    f.headPos = true;
                }
                case WORD -> i = wordToken(i, to, f, executes, ddl, stack.isEmpty());
                case OP -> {
                    f.headPos = false;
                    String op = t.text(i);
                    if (!Keywords.BUILTIN_OPERATORS.contains(op)) {
                        function("operator(" + op + ")", executes);
                    }
                }
                case QUOTED_IDENT -> {
                    if (f.cte == Cte.EXPECT_NAME) {
                        cteNames.add(t.text(i));
                        f.cte = Cte.AFTER_NAME;
                    } else if (f.cte == Cte.NONE) {
                        i = name(i, to, f, executes, ddl);
                    }
                }
                default -> f.headPos = false;
            }
        }
        if (!stack.isEmpty()) {
            unparsed("unbalanced parentheses");
            return;
        }
        closeFrame(f);
    }

    private void closeFrame(Frame f) {
        if ((f.dml == Dml.UPDATE || f.dml == Dml.DELETE) && !f.sawWhere) {
            whereAbsent = true;
        }
    }

    private void head(Frame f, Dml dml, String tag, boolean top) {
        closeFrame(f);
        f.dml = dml;
        f.sawWhere = false;
        f.usingSeen = false;
        f.fromList = false;
        f.expectTable = false;
        f.headPos = false;
        if (top && !sawMainHead && type == null) {
            type = tag;
        }
        if (top) {
            sawMainHead = true;
        }
        if (dml != Dml.SELECT) {
            raise(SqlKind.WRITE);
        }
    }

    private boolean sawMainHead;

    /** Handles the word at i; returns the index of the last token consumed. */
    private int wordToken(int i, int to, Frame f, boolean executes, boolean ddl, boolean top) {
        String w = t.text(i);
        // CTE list states
        switch (f.cte) {
            case EXPECT_NAME -> {
                cteNames.add(w);
                f.cte = Cte.AFTER_NAME;
                return i;
            }
            case AFTER_NAME -> {
                if (w.equals("as")) {
                    f.cte = Cte.EXPECT_BODY;
                }
                return i;
            }
            case EXPECT_BODY -> {
                return i; // NOT / MATERIALIZED
            }
            case AFTER_BODY, SEARCH_CYCLE -> {
                if (w.equals("search") || w.equals("cycle")) {
                    f.cte = Cte.SEARCH_CYCLE;
                    return i;
                }
                if (f.cte == Cte.SEARCH_CYCLE && !isHead(w)) {
                    return i;
                }
                f.cte = Cte.NONE;
                f.headPos = true;
            }
            default -> {
            }
        }
        if (f.expectTable) {
            if (w.equals("lateral") || w.equals("only")) {
                return i;
            }
            if (w.equals("rows") && t.isWord(i + 1, "from") && t.is(i + 2, TokenType.LPAREN)) {
                f.expectTable = false;
                return i + 1;
            }
            if (!Keywords.FROM_LIST_END.contains(w)) {
                return name(i, to, f, executes, ddl);
            }
            f.expectTable = false;
        }
        boolean headPos = f.headPos;
        f.headPos = false;
        switch (w) {
            case "with" -> {
                if (headPos || t.isWord(i + 1, "recursive") || t.isName(i + 1) && !ddl
                        && !(t.is(i + 1, TokenType.WORD) && Keywords.ALL.contains(t.text(i + 1)))
                        && (t.isWord(i + 2, "as") || t.is(i + 2, TokenType.LPAREN))) {
                    f.cte = Cte.EXPECT_NAME;
                    return t.isWord(i + 1, "recursive") ? i + 1 : i;
                }
                return i;
            }
            case "select", "values" -> {
                if (ddl || w.equals("values") && (f.dml == Dml.INSERT || f.dml == Dml.MERGE)) {
                    f.fromList = false;
                    return i;
                }
                head(f, Dml.SELECT, "SELECT", top);
                return i;
            }
            case "table" -> {
                if (headPos || isSetOperator(i - 1)) {
                    head(f, Dml.SELECT, "SELECT", top);
                    int end = table(i + 1, to, false);
                    return end < 0 ? i : end - 1;
                }
                return i;
            }
            case "union", "intersect", "except" -> {
                f.fromList = false;
                f.headPos = true;
                return (t.isWord(i + 1, "all") || t.isWord(i + 1, "distinct")) ? i + 1 : i;
            }
            case "insert" -> {
                if (!headPos || f.dml == Dml.MERGE) {
                    return i;
                }
                head(f, Dml.INSERT, "INSERT", top);
                if (!t.isWord(i + 1, "into")) {
                    unparsed("INSERT without INTO");
                    return i;
                }
                int end = table(i + 2, to, true);
                if (end < 0) {
                    unparsed("expected a table name");
                    return i + 1;
                }
                return end - 1;
            }
            case "update" -> {
                String prev = word(i - 1);
                if (prev.equals("for") || prev.equals("key")) {
                    raise(SqlKind.WRITE); // row locks
                    return i;
                }
                if (!headPos) {
                    return i;
                }
                head(f, Dml.UPDATE, "UPDATE", top);
                int end = table(i + 1, to, true);
                if (end < 0) {
                    unparsed("expected a table name");
                    return i;
                }
                return end - 1;
            }
            case "delete" -> {
                if (!headPos) {
                    return i;
                }
                head(f, Dml.DELETE, "DELETE", top);
                if (!t.isWord(i + 1, "from")) {
                    unparsed("DELETE without FROM");
                    return i;
                }
                int end = table(i + 2, to, true);
                if (end < 0) {
                    unparsed("expected a table name");
                    return i + 1;
                }
                return end - 1;
            }
            case "merge" -> {
                if (!headPos) {
                    return i;
                }
                head(f, Dml.MERGE, "MERGE", top);
                if (!t.isWord(i + 1, "into")) {
                    unparsed("MERGE without INTO");
                    return i;
                }
                int end = table(i + 2, to, true);
                if (end < 0) {
                    unparsed("expected a table name");
                    return i + 1;
                }
                return end - 1;
            }
            case "using" -> {
                if ((f.dml == Dml.DELETE || f.dml == Dml.MERGE) && !f.usingSeen && !f.fromList) {
                    f.usingSeen = true;
                    f.fromList = true;
                    f.expectTable = true;
                }
                return i;
            }
            case "from" -> {
                if (ddl || f.noFrom || (word(i - 1).equals("distinct") && (t.isWord(i - 2, "is") || t.isWord(i - 2, "not")))) {
                    return i;
                }
                f.fromList = true;
                f.expectTable = true;
                return i;
            }
            case "join" -> {
                f.expectTable = true;
                return i;
            }
            case "on" -> {
                return i;
            }
            case "operator" -> {
                if (!t.is(i + 1, TokenType.LPAREN)) {
                    return name(i, to, f, executes, ddl);
                }
                // OPERATOR(schema.op): a call of whatever function that operator names
                int close = closing(i + 1, to);
                if (close < 0) {
                    return i;
                }
                StringBuilder b = new StringBuilder();
                for (int k = i + 2; k < close; k++) {
                    b.append(t.is(k, TokenType.DOT) ? "." : t.text(k) == null ? "?" : t.text(k));
                }
                String op = b.toString();
                String bare = op.startsWith("pg_catalog.") ? op.substring("pg_catalog.".length()) : op;
                if (!Keywords.BUILTIN_OPERATORS.contains(bare)) {
                    function("operator(" + op + ")", executes);
                }
                return close;
            }
            case "where" -> {
                f.sawWhere = true;
                f.fromList = false;
                return i;
            }
            case "into" -> {
                f.fromList = false;
                if (f.dml == Dml.SELECT) {
                    int k = i + 1;
                    while (t.isWord(k, "temp") || t.isWord(k, "temporary") || t.isWord(k, "unlogged")
                            || t.isWord(k, "local") || t.isWord(k, "global") || t.isWord(k, "table")) {
                        k++;
                    }
                    int end = table(k, to, true);
                    if (end < 0) {
                        unparsed("expected a table name after INTO");
                        return i;
                    }
                    raise(SqlKind.DDL);
                    if (top && "SELECT".equals(type)) {
                        type = "SELECT INTO";
                    }
                    return end - 1;
                }
                return i;
            }
            case "for" -> {
                f.fromList = false;
                String n1 = word(i + 1);
                if (n1.equals("update") || n1.equals("share") || n1.equals("no") && t.isWord(i + 2, "key")
                        || n1.equals("key") && t.isWord(i + 2, "share")) {
                    raise(SqlKind.WRITE);
                }
                return i;
            }
            default -> {
                if (Keywords.FROM_LIST_END.contains(w)
                        && !(w.equals("set") && t.is(i + 1, TokenType.LPAREN) && expressionStartsAt(i))) {
                    f.fromList = false;
                    return i;
                }
                return name(i, to, f, executes, ddl); // (SELECT set(…) calls a function named "set")
            }
        }
    }

    private boolean isHead(String w) {
        return w.equals("select") || w.equals("insert") || w.equals("update") || w.equals("delete")
                || w.equals("merge") || w.equals("values") || w.equals("table") || w.equals("with");
    }

    private boolean isSetOperator(int i) {
        String w = word(i);
        if (w.equals("all") || w.equals("distinct")) {
            w = word(i - 1);
        }
        return w.equals("union") || w.equals("intersect") || w.equals("except");
    }

    /** A name at i: a table when one is expected, a function when a call follows. */
    private int name(int i, int to, Frame f, boolean executes, boolean ddl) {
        f.headPos = false;
        int end = nameEnd(i, to);
        if (end < 0) {
            return i;
        }
        if (f.expectTable) {
            f.expectTable = false;
            if (end == i + 1 && t.is(i, TokenType.WORD) && (Keywords.SQL_VALUE_FUNCTIONS.contains(t.text(i))
                    || t.text(i).equals("collation") && t.isWord(i + 1, "for"))) {
                // FROM current_date, FROM localtimestamp(3), FROM collation for (…): functions the grammar
                // builds in, never table names (these words are reserved or type/function-name keywords)
                return i;
            }
            if (t.is(end, TokenType.LPAREN)) {
                callAt(i, end, executes);
                return end - 1;
            }
            read.add(tableRef(i, end));
            if (t.isOp(end, "*")) {
                return end;
            }
            return end - 1;
        }
        if (t.is(end, TokenType.LPAREN) && !(f.fromList && end == i + 1 && t.is(i - 1, TokenType.RPAREN))
                && isCall(i, end, ddl)) {
            // (in a FROM list, "(…) name (" is a subquery's or function's alias with its column list)
            callAt(i, end, executes);
        }
        return end - 1;
    }

    private void callAt(int i, int end, boolean executes) {
        String name = qualified(i, end);
        if ((name.equals("set_config") || name.equals("pg_catalog.set_config"))
                && settings.catalogue().kindOf(name) == SqlKind.DCL) {
            setConfig(name, i, end, executes);
        } else {
            function(name, executes);
        }
        if (Keywords.FROM_IN_ARGUMENTS.contains(name)) {
            pendingNoFrom = true;
        }
    }

    private boolean pendingNoFrom;

    /** True when the token before i ends nothing an operand could end: an expression may start at i. */
    private boolean expressionStartsAt(int i) {
        int p = i - 1;
        if (p < 0) {
            return true;
        }
        switch (t.type(p)) {
            case OP:
                return !t.text(p).equals("::");
            case LPAREN: case COMMA: case LBRACKET: case SEMICOLON:
                return true;
            case WORD:
                return !t.is(p - 1, TokenType.DOT) && Keywords.EXPRESSION_START.contains(t.text(p));
            default:
                return false;
        }
    }

    private boolean isCall(int i, int end, boolean ddl) {
        boolean qualifiedName = end - i > 1;
        if (!qualifiedName && t.is(i, TokenType.WORD)) {
            String w = t.text(i);
            if (Keywords.NEVER_CALL.contains(w)) {
                return false;
            }
            if (w.equals("second") && (t.isWord(i - 1, "to") || t.is(i - 1, TokenType.STRING))) {
                return false; // INTERVAL '1' SECOND (p), … MINUTE TO SECOND (p): a precision
            }
            if ((w.equals("first") || w.equals("next")) && t.isWord(i - 1, "fetch")) {
                return false; // FETCH FIRST (n) ROWS ONLY
            }
            if (Keywords.CALL_WHERE_EXPRESSION_STARTS.contains(w)) {
                return expressionStartsAt(i) && !(w.equals("conflict") && t.isWord(i - 1, "on"));
            }
        }
        int p = i - 1;
        if (p < 0) {
            return true;
        }
        TokenType pt = t.type(p);
        if (pt == TokenType.OP && t.text(p).equals("::")) {
            return false;
        }
        if (pt == TokenType.QUOTED_IDENT) {
            return false;
        }
        if (pt == TokenType.WORD) {
            String pw = t.text(p);
            if (pw.equals("as") || pw.equals("setof")) {
                return false;
            }
            if (!Keywords.ALL.contains(pw)) {
                return false; // alias or column name, then a column list or a type modifier
            }
            if (ddl && pw.equals("using") && !qualifiedName && Keywords.ACCESS_METHODS.contains(t.text(i))) {
                return false;
            }
            if (ddl && Keywords.DDL_NAME_INTRODUCERS.contains(pw)) {
                return false;
            }
            if (pw.equals("by") && (t.isWord(p - 1, "partition"))) {
                return false;
            }
        }
        return true;
    }
}
