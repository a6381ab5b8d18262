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
