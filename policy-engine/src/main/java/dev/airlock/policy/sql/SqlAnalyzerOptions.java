package dev.airlock.policy.sql;

import java.util.Objects;

/**
 * How the {@link SqlAnalyzer} judges what it cannot see into.
 *
 * @param catalogue           what known functions do
 * @param unknownFunctionKind kind of a call to a function the catalogue does not know (policy
 *                            {@code unknown_functions}; default {@link SqlKind#SERVER_CODE})
 * @param unparsedKind        kind of a statement the analyser could not fully read (policy {@code on_unparsed};
 *                            default {@link SqlKind#ADMIN}, the most privileged)
 * @param maxLength           longest statement string analysed, in characters; longer ones are unparsed
 * @param maxNesting          deepest nesting of parentheses/brackets analysed; deeper ones are unparsed
 * @param cacheSize           entries kept in the fingerprint cache; 0 disables it
 * @param maxCachedLength     longest statement string whose analysis is cached, in characters
 */
public record SqlAnalyzerOptions(FunctionCatalogue catalogue, SqlKind unknownFunctionKind, SqlKind unparsedKind,
                                 int maxLength, int maxNesting, int cacheSize, int maxCachedLength) {

    public SqlAnalyzerOptions {
        Objects.requireNonNull(catalogue, "catalogue");
        Objects.requireNonNull(unknownFunctionKind, "unknownFunctionKind");
        Objects.requireNonNull(unparsedKind, "unparsedKind");
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength: " + maxLength + " (expected: > 0)");
        }
        if (maxNesting <= 0) {
            throw new IllegalArgumentException("maxNesting: " + maxNesting + " (expected: > 0)");
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize: " + cacheSize + " (expected: >= 0)");
        }
        if (maxCachedLength < 0) {
            throw new IllegalArgumentException("maxCachedLength: " + maxCachedLength + " (expected: >= 0)");
        }
    }

    /** Defaults: built-in catalogue, unknown functions are server code, unparsed is admin, 4 Mi characters,
     * nesting 1000, 10 000 cached shapes of statements of at most 4 Ki characters (so the cache stays
     * under roughly 100 MB even when filled with the longest shapes). */
    public static SqlAnalyzerOptions defaults() {
        return new SqlAnalyzerOptions(FunctionCatalogue.defaults(), SqlKind.SERVER_CODE, SqlKind.ADMIN,
                4 * 1024 * 1024, 1000, 10_000, 4 * 1024);
    }

    public SqlAnalyzerOptions withCatalogue(FunctionCatalogue c) {
        return new SqlAnalyzerOptions(c, unknownFunctionKind, unparsedKind, maxLength, maxNesting, cacheSize,
                maxCachedLength);
    }

    public SqlAnalyzerOptions withUnknownFunctionKind(SqlKind k) {
        return new SqlAnalyzerOptions(catalogue, k, unparsedKind, maxLength, maxNesting, cacheSize, maxCachedLength);
    }

    public SqlAnalyzerOptions withUnparsedKind(SqlKind k) {
        return new SqlAnalyzerOptions(catalogue, unknownFunctionKind, k, maxLength, maxNesting, cacheSize,
                maxCachedLength);
    }

    public SqlAnalyzerOptions withMaxLength(int n) {
        return new SqlAnalyzerOptions(catalogue, unknownFunctionKind, unparsedKind, n, maxNesting, cacheSize,
                maxCachedLength);
    }

    public SqlAnalyzerOptions withMaxNesting(int n) {
        return new SqlAnalyzerOptions(catalogue, unknownFunctionKind, unparsedKind, maxLength, n, cacheSize,
                maxCachedLength);
    }

    public SqlAnalyzerOptions withMaxCachedLength(int n) {
        return new SqlAnalyzerOptions(catalogue, unknownFunctionKind, unparsedKind, maxLength, maxNesting, cacheSize,
                n);
    }

    public SqlAnalyzerOptions withCacheSize(int n) {
        return new SqlAnalyzerOptions(catalogue, unknownFunctionKind, unparsedKind, maxLength, maxNesting, n,
                maxCachedLength);
    }
}
