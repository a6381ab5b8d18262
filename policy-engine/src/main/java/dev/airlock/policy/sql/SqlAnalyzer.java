package dev.airlock.policy.sql;

import dev.airlock.policy.sql.internal.SqlLexer;
import dev.airlock.policy.sql.internal.SqlSyntaxException;
import dev.airlock.policy.sql.internal.StatementAnalyzer;
import dev.airlock.policy.sql.internal.TokenType;
import dev.airlock.policy.sql.internal.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a SQL string the way PostgreSQL would split and tokenise it and reports what each statement
 * effectively does. Never fails open: what it cannot fully read comes back with
 * {@link SqlStatement#unparsedReason()} set and at least {@link SqlAnalyzerOptions#unparsedKind()}.
 *
 * <p>Thread-safe. Results are cached by statement shape (literals and parameters normalised), so a repeated
 * shape costs a lexing pass and a hash lookup; the cache holds at most
 * {@link SqlAnalyzerOptions#cacheSize()} shapes.
 */
public final class SqlAnalyzer {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SqlAnalyzerOptions options;
    private final StatementAnalyzer.Settings settings;
    private final ConcurrentHashMap<String, SqlAnalysis> cache;

    /** An analyser with {@link SqlAnalyzerOptions#defaults()}. */
    public SqlAnalyzer() {
        this(SqlAnalyzerOptions.defaults());
    }

    public SqlAnalyzer(SqlAnalyzerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.settings = new StatementAnalyzer.Settings(options.catalogue(), options.unknownFunctionKind(),
                options.unparsedKind(), options.maxNesting());
        this.cache = new ConcurrentHashMap<>(Math.min(options.cacheSize(), 1024) * 2);
    }

    /** An analyser with the default options and this function catalogue. */
    public SqlAnalyzer(FunctionCatalogue catalogue) {
        this(SqlAnalyzerOptions.defaults().withCatalogue(catalogue));
    }

    public SqlAnalyzerOptions options() {
        return options;
    }

    /** Shapes currently cached. */
    public int cachedShapes() {
        return cache.size();
    }

    /**
     * Analyses a statement string (one or more statements, as sent in a simple Query message) for a session
     * with {@code standard_conforming_strings = on}, the server default.
     */
    public SqlAnalysis analyze(String sql) {
        return analyze(sql, true);
    }

    /**
     * Analyses a statement string for a session whose {@code standard_conforming_strings} is as given (the
     * server reports it in ParameterStatus; with it off, a backslash escapes a quote in every string, which
     * moves statement boundaries).
     */
    public SqlAnalysis analyze(String sql, boolean standardConformingStrings) {
        return analyze(sql, standardConformingStrings, PreparedStatements.NONE);
    }

    /**
     * Analyses a statement string for a session that has prepared {@code prepared}: an {@code EXECUTE name} is
     * analysed as the statement prepared under that name (and stays unparsed when {@code prepared} does not know it).
     */
    public SqlAnalysis analyze(String sql, boolean standardConformingStrings, PreparedStatements prepared) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(prepared, "prepared");
        if (sql.length() > options.maxLength()) {
            return failed("statement too long: " + sql.length() + " characters (limit " + options.maxLength() + ")",
                    "length:" + sql.length());
        }
        Tokens tokens;
        try {
            tokens = SqlLexer.lex(sql, standardConformingStrings);
        } catch (SqlSyntaxException e) {
            return failed(e.getMessage(), "syntax:" + sql);
        }
        String shape = shape(tokens);
        boolean cacheable = options.cacheSize() > 0 && sql.length() <= options.maxCachedLength();
        if (cacheable) {
            SqlAnalysis hit = cache.get(shape);
            if (hit != null) {
                return hit;
            }
        }
        List<SqlStatement> statements = new ArrayList<>();
        for (int[] range : StatementAnalyzer.split(tokens)) {
            StatementAnalyzer.Result r = StatementAnalyzer.analyze(tokens, range[0], range[1], settings, prepared);
            statements.add(r.statement());
            // an analysis that read a literal's value or the session's prepared statements is not the shape's
            cacheable &= r.shapeDetermined();
        }
        SqlAnalysis analysis = new SqlAnalysis(statements, digest(shape));
        if (cacheable) {
            put(shape, analysis);
        }
        return analysis;
    }

    /**
     * What running {@code sql} does to the session's SQL-level prepared statements, statement by statement in order
     * ({@code PREPARE}, {@code DEALLOCATE}, {@code DISCARD ALL}); empty when nothing, or when the string does not lex
     * (then the server runs none of it).
     */
    public List<PreparedChange> preparedChanges(String sql) {
        Tokens tokens;
        try {
            tokens = SqlLexer.lex(sql);
        } catch (SqlSyntaxException e) {
            return List.of();
        }
        List<PreparedChange> changes = new ArrayList<>(1);
        for (int[] range : StatementAnalyzer.split(tokens)) {
            PreparedChange c = StatementAnalyzer.preparedChange(tokens, range[0], range[1], sql);
            if (c != null) {
                changes.add(c);
            }
        }
        return changes;
    }

    /** Function names whose call changes the session beyond its transaction. */
    private static final Set<String> SESSION_FUNCTIONS = Set.of("set_config", "pg_advisory_lock",
            "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared");

    /**
     * Whether running {@code sql} may leave state in the session that outlives its transaction, for whoever uses the
     * connection next: a session-level {@code SET} or {@code RESET} (also {@code SET ROLE} and
     * {@code SET SESSION AUTHORIZATION}; not {@code SET LOCAL}, {@code SET TRANSACTION}, {@code SET CONSTRAINTS}),
     * {@code set_config(…)}, session-level advisory locks, {@code LISTEN}, {@code PREPARE}, {@code LOAD}, temporary
     * objects, {@code WITH HOLD} cursors, and {@code DO} (its body is opaque). Conservative: a string that does not
     * lex counts, a word used as a name may count (a column called {@code set_config}); what a called function or
     * procedure does inside is not seen.
     *
     * @param followed settings (lower case) whose {@code SET} / {@code RESET} the caller tracks itself, e.g. those the
     *                 server reports back; a statement that only sets one of them does not count
     */
    public boolean changesSessionState(String sql, Set<String> followed) {
        Tokens t;
        try {
            t = SqlLexer.lex(sql);
        } catch (SqlSyntaxException e) {
            return true;
        }
        for (int[] range : StatementAnalyzer.split(t)) {
            int from = range[0];
            int to = range[1];
            String first = t.is(from, TokenType.WORD) ? t.text(from) : "";
            switch (first) {
                case "set" -> {
                    if (!t.isWord(from + 1, "local") && !t.isWord(from + 1, "transaction")
                            && !t.isWord(from + 1, "constraints") && !followed.contains(settingName(t, from + 1, to))) {
                        return true;
                    }
                }
                case "reset" -> {
                    if (!followed.contains(settingName(t, from + 1, to))) {
                        return true;
                    }
                }
                case "listen", "prepare", "load", "do" -> {
                    return true;
                }
                default -> {
                }
            }
            for (int i = from; i < to; i++) {
                if (!t.is(i, TokenType.WORD) && !t.is(i, TokenType.QUOTED_IDENT)) {
                    continue;
                }
                String w = t.text(i);
                if (SESSION_FUNCTIONS.contains(w)) {
                    return true;
                }
                if (i > from && (w.equals("temp") || w.equals("temporary"))
                        && (t.isWord(i - 1, "create") || t.isWord(i - 1, "global") || t.isWord(i - 1, "local")
                        || t.isWord(i - 1, "replace") || t.isWord(i - 1, "into"))) {
                    return true;
                }
                if (i > from && w.equals("hold") && t.isWord(i - 1, "with")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The setting a {@code SET} / {@code RESET} names from token {@code i} ({@code SESSION} skipped; {@code TIME ZONE}
     * and {@code NAMES} by their setting names), lower case; {@code ""} when it is not a plain name.
     */
    private static String settingName(Tokens t, int i, int to) {
        if (t.isWord(i, "session") && !t.isWord(i + 1, "authorization") && !t.isWord(i + 1, "characteristics")) {
            i++;
        }
        if (i >= to) {
            return "";
        }
        if (t.isWord(i, "time") && t.isWord(i + 1, "zone")) {
            return "timezone";
        }
        if (t.isWord(i, "names")) {
            return "client_encoding";
        }
        boolean plain = t.is(i, TokenType.WORD) || t.is(i, TokenType.QUOTED_IDENT);
        // a dotted (custom) name is not one of the caller's
        return plain && !(i + 1 < to && t.is(i + 1, TokenType.DOT)) ? t.text(i).toLowerCase(java.util.Locale.ROOT) : "";
    }

    private void put(String shape, SqlAnalysis analysis) {
        if (cache.size() >= options.cacheSize()) {
            // bounded, not LRU: drop some entry; repeated shapes come straight back
            Iterator<String> it = cache.keySet().iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        cache.putIfAbsent(shape, analysis);
    }

    private SqlAnalysis failed(String reason, String fingerprintSource) {
        SqlStatement s = new SqlStatement("UNKNOWN", options.unparsedKind(), Set.of(), Set.of(), Set.of(), false,
                reason);
        return new SqlAnalysis(List.of(s), digest(fingerprintSource));
    }

    /**
     * The normalised shape: words folded, identifiers decoded and quoted, literals and parameters as
     * {@code $}, comments and white space dropped. Everything the analysis reads is in here, so two strings
     * with the same shape have the same analysis.
     */
    private static String shape(Tokens t) {
        StringBuilder b = new StringBuilder(t.size() * 6);
        for (int i = 0; i < t.size(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            TokenType ty = t.type(i);
            switch (ty) {
                case WORD, OP -> b.append(t.text(i));
                case QUOTED_IDENT -> {
                    b.append('"');
                    String x = t.text(i);
                    for (int k = 0; k < x.length(); k++) {
                        char c = x.charAt(k);
                        if (c == '"') {
                            b.append('"');
                        }
                        b.append(c);
                    }
                    b.append('"');
                }
                case STRING, NUMBER, PARAM -> b.append('$');
                case LPAREN -> b.append('(');
                case RPAREN -> b.append(')');
                case LBRACKET -> b.append('[');
                case RBRACKET -> b.append(']');
                case COMMA -> b.append(',');
                case SEMICOLON -> b.append(';');
                case DOT -> b.append('.');
                case COLON -> b.append(':');
            }
        }
        return b.toString();
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            char[] out = new char[32];
            for (int i = 0; i < 16; i++) {
                out[2 * i] = HEX[(d[i] >> 4) & 0xf];
                out[2 * i + 1] = HEX[d[i] & 0xf];
            }
            return new String(out);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
