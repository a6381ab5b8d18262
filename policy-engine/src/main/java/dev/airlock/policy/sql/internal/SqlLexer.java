package dev.airlock.policy.sql.internal;

import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL's lexical rules ({@code src/backend/parser/scan.l}, PostgreSQL 17) with
 * {@code standard_conforming_strings = on}, plus the {@code UESCAPE} look-ahead that the server does in
 * {@code parser.c}. One pass, no backtracking: time is linear in the input length.
 *
 * <p>Differences that cannot make the analysis less privileged: string contents are not decoded (they are
 * literals, never names), and errors the server reports later (invalid escapes in E'' strings are checked
 * here, encoding checks are not).
 */
public final class SqlLexer {

    /** NAMEDATALEN - 1: identifiers are truncated to this many bytes. */
    static final int MAX_IDENTIFIER_BYTES = 63;

    private final String s;
    private final int n;
    private final boolean standardConformingStrings;
    private final Tokens out;

    private SqlLexer(String s, boolean standardConformingStrings) {
        this.s = s;
        this.out = new Tokens(s);
        this.n = s.length();
        this.standardConformingStrings = standardConformingStrings;
    }

    /** Lexes the whole string with {@code standard_conforming_strings = on}. */
    public static Tokens lex(String sql) throws SqlSyntaxException {
        return lex(sql, true);
    }

    /**
     * Lexes the whole string; comments and white space are dropped. With
     * {@code standardConformingStrings = false} a backslash escapes in every string, as the server does when
     * the session turned the setting off.
     */
    public static Tokens lex(String sql, boolean standardConformingStrings) throws SqlSyntaxException {
        SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
        lexer.run();
        return lexer.out;
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentCont(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static boolean isDolqCont(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isOpChar(char c) {
        switch (c) {
            case '~': case '!': case '@': case '#': case '^': case '&': case '|': case '`': case '?':
            case '+': case '-': case '*': case '/': case '%': case '<': case '>': case '=':
                return true;
            default:
                return false;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private char at(int i) {
        return i < n ? s.charAt(i) : '\0';
    }

    private void run() throws SqlSyntaxException {
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                i = skipLineComment(i);
            } else if (c == '/' && at(i + 1) == '*') {
                i = skipBlockComment(i);
            } else if (c == '\'') {
                i = string(i, i + 1, plain());
            } else if (c == '"') {
                i = quotedIdent(i, i + 1, false);
            } else if (c == '$') {
                i = dollar(i);
            } else if (isDigit(c) || (c == '.' && isDigit(at(i + 1)))) {
                i = number(i);
            } else if (isIdentStart(c)) {
                i = identOrPrefixed(i);
            } else if (isOpChar(c)) {
                i = operator(i);
            } else {
                i = punctuation(i, c);
            }
        }
    }

    private int skipLineComment(int i) {
        int j = i + 2;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\n' || c == '\r') {
                break;
            }
            j++;
        }
        return j;
    }

    private int skipBlockComment(int i) throws SqlSyntaxException {
        int depth = 1;
        int j = i + 2;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '/' && at(j + 1) == '*') {
                depth++;
                j += 2;
            } else if (c == '*') {
                while (j < n && s.charAt(j) == '*') {
                    j++;
                }
                if (j < n && s.charAt(j) == '/') {
                    j++;
                    if (--depth == 0) {
                        return j;
                    }
                }
            } else {
                j++;
            }
        }
        throw new SqlSyntaxException("unterminated /* comment", i);
    }

    private enum StringStyle { STANDARD, EXTENDED, BITS }

    private StringStyle plain() {
        return standardConformingStrings ? StringStyle.STANDARD : StringStyle.EXTENDED;
    }

    /**
     * A quoted string body starting at {@code j} (just after the opening quote); handles {@code ''}, E-string
     * backslash escapes and the "quote, newline, quote" continuation. Returns the index after the token.
     */
    private int string(int start, int j, StringStyle style) throws SqlSyntaxException {
        while (true) {
            j = stringBody(start, j, style);
            // j is just after a closing quote; look for a continuation: horizontal space, a newline, then
            // spaces/newlines/-- comments, then a quote.
            int k = j;
            while (k < n && (s.charAt(k) == ' ' || s.charAt(k) == '\t' || s.charAt(k) == '\f')) {
                k++;
            }
            if (k >= n || (s.charAt(k) != '\n' && s.charAt(k) != '\r')) {
                break;
            }
            while (true) {
                if (k < n && isSpace(s.charAt(k))) {
                    k++;
                } else if (k + 1 < n && s.charAt(k) == '-' && s.charAt(k + 1) == '-') {
                    int e = skipLineComment(k);
                    if (e >= n) {
                        k = e;
                        break;
                    }
                    k = e + 1;
                } else {
                    break;
                }
            }
            if (k < n && s.charAt(k) == '\'') {
                j = k + 1;
            } else {
                break;
            }
        }
        out.add(TokenType.STRING, null, start);
        return j;
    }

    private int stringBody(int start, int j, StringStyle style) throws SqlSyntaxException {
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\'') {
                if (style != StringStyle.BITS && at(j + 1) == '\'') {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            if (c == '\\' && style == StringStyle.EXTENDED) {
                char e = at(j + 1);
                if (e == 'u' || e == 'U') {
                    int digits = e == 'u' ? 4 : 8;
                    for (int d = 0; d < digits; d++) {
                        if (!isHexDigit(at(j + 2 + d))) {
                            throw new SqlSyntaxException("invalid Unicode escape", j);
                        }
                    }
                    j += 2 + digits;
                    continue;
                }
                if (j + 1 >= n) {
                    break;
                }
                j += 2;
                continue;
            }
            if (c == '\0') {
                throw new SqlSyntaxException("NUL character in statement", j);
            }
            j++;
        }
        throw new SqlSyntaxException("unterminated quoted string", start);
    }

    /** A delimited identifier; {@code j} is just after the opening double quote. */
    private int quotedIdent(int start, int j, boolean unicode) throws SqlSyntaxException {
        StringBuilder b = new StringBuilder();
        while (true) {
            if (j >= n) {
                throw new SqlSyntaxException("unterminated quoted identifier", start);
            }
            char c = s.charAt(j);
            if (c == '"') {
                if (at(j + 1) == '"') {
                    b.append('"');
                    j += 2;
                    continue;
                }
                j++;
                break;
            }
            if (c == '\0') {
                throw new SqlSyntaxException("NUL character in statement", j);
            }
            b.append(c);
            j++;
        }
        if (b.length() == 0) {
            throw new SqlSyntaxException("zero-length delimited identifier", start);
        }
        String text = b.toString();
        if (unicode) {
            int[] after = new int[] {j};
            char escape = uescape(after);
            j = after[0];
            text = decodeUnicode(text, escape, start);
        }
        out.add(TokenType.QUOTED_IDENT, truncate(text), start);
        return j;
    }

    /**
     * The optional {@code UESCAPE 'c'} after a U&amp; literal (the server checks it in parser.c): returns the
     * escape character and moves {@code pos[0]} past the clause when present.
     */
    private char uescape(int[] pos) throws SqlSyntaxException {
        int k = skipSpaceAndComments(pos[0]);
        if (k + 7 <= n && s.regionMatches(true, k, "uescape", 0, 7) && !isIdentCont(at(k + 7))) {
            int q = skipSpaceAndComments(k + 7);
            if (at(q) != '\'' || at(q + 2) != '\'' || at(q + 3) == '\'') {
                throw new SqlSyntaxException("UESCAPE must be followed by a simple string literal", k);
            }
            char e = s.charAt(q + 1);
            if (isHexDigit(e) || e == '+' || e == '\'' || e == '"' || isSpace(e)) {
                throw new SqlSyntaxException("invalid Unicode escape character", q);
            }
            pos[0] = q + 3;
            return e;
        }
        return '\\';
    }

    private int skipSpaceAndComments(int k) throws SqlSyntaxException {
        while (k < n) {
            char c = s.charAt(k);
            if (isSpace(c)) {
                k++;
            } else if (c == '-' && at(k + 1) == '-') {
                k = skipLineComment(k);
            } else if (c == '/' && at(k + 1) == '*') {
                k = skipBlockComment(k);
            } else {
                break;
            }
        }
        return k;
    }

    private static String decodeUnicode(String text, char escape, int pos) throws SqlSyntaxException {
        StringBuilder b = new StringBuilder(text.length());
        int i = 0;
        int len = text.length();
        int pendingHigh = -1;
        while (i < len) {
            char c = text.charAt(i);
            if (c != escape) {
                if (pendingHigh >= 0) {
                    throw new SqlSyntaxException("invalid Unicode surrogate pair", pos);
                }
                b.append(c);
                i++;
                continue;
            }
            int cp;
            if (i + 1 < len && text.charAt(i + 1) == escape) {
                if (pendingHigh >= 0) {
                    throw new SqlSyntaxException("invalid Unicode surrogate pair", pos);
                }
                b.append(escape);
                i += 2;
                continue;
            } else if (i + 4 < len + 0 && hex(text, i + 1, 4) >= 0) {
                cp = hex(text, i + 1, 4);
                i += 5;
            } else if (i + 1 < len && text.charAt(i + 1) == '+' && i + 7 < len + 0 + 1 && hex(text, i + 2, 6) >= 0) {
                cp = hex(text, i + 2, 6);
                i += 8;
            } else {
                throw new SqlSyntaxException("invalid Unicode escape", pos);
            }
            if (cp == 0 || cp > 0x10FFFF) {
                throw new SqlSyntaxException("invalid Unicode escape value", pos);
            }
            if (pendingHigh >= 0) {
                if (cp < 0xDC00 || cp > 0xDFFF) {
                    throw new SqlSyntaxException("invalid Unicode surrogate pair", pos);
                }
                b.appendCodePoint(0x10000 + ((pendingHigh - 0xD800) << 10) + (cp - 0xDC00));
                pendingHigh = -1;
            } else if (cp >= 0xD800 && cp <= 0xDBFF) {
                pendingHigh = cp;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                throw new SqlSyntaxException("invalid Unicode surrogate pair", pos);
            } else {
                b.appendCodePoint(cp);
            }
        }
        if (pendingHigh >= 0) {
            throw new SqlSyntaxException("invalid Unicode surrogate pair", pos);
        }
        return b.toString();
    }

    /** The value of {@code count} hex digits at {@code from}, or -1. */
    private static int hex(String t, int from, int count) {
        if (from + count > t.length()) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < count; k++) {
            int d = Character.digit(t.charAt(from + k), 16);
            if (d < 0 || t.charAt(from + k) > 0x7f) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private int dollar(int i) throws SqlSyntaxException {
        char c1 = at(i + 1);
        if (isDigit(c1)) {
            int j = i + 1;
            while (j < n && isDigit(s.charAt(j))) {
                j++;
            }
            if (j < n && isIdentStart(s.charAt(j))) {
                throw new SqlSyntaxException("trailing junk after parameter", i);
            }
            out.add(TokenType.PARAM, null, i);
            return j;
        }
        int j = i + 1;
        if (c1 != '$') {
            if (!isIdentStart(c1)) {
                throw new SqlSyntaxException("syntax error at or near \"$\"", i);
            }
            j++;
            while (j < n && isDolqCont(s.charAt(j))) {
                j++;
            }
            if (at(j) != '$') {
                throw new SqlSyntaxException("syntax error at or near \"$\"", i);
            }
        }
        String tag = s.substring(i, j + 1);
        int end = s.indexOf(tag, j + 1);
        if (end < 0) {
            throw new SqlSyntaxException("unterminated dollar-quoted string", i);
        }
        out.add(TokenType.STRING, null, i);
        return end + tag.length();
    }

    private int number(int i) throws SqlSyntaxException {
        int j = i;
        char c = s.charAt(i);
        if (c == '0' && "xXoObB".indexOf(at(i + 1)) >= 0) {
            char base = Character.toLowerCase(at(i + 1));
            j = i + 2;
            if (at(j) == '_') {
                j++;
            }
            int digits = 0;
            while (j < n && inBase(s.charAt(j), base)) {
                j++;
                digits++;
                if (at(j) == '_' && inBase(at(j + 1), base)) {
                    j++;
                }
            }
            if (digits == 0) {
                throw new SqlSyntaxException("invalid " + (base == 'x' ? "hexadecimal" : base == 'o' ? "octal" : "binary")
                        + " integer", i);
            }
            return endNumber(i, j);
        }
        if (c != '.') {
            j = decinteger(j);
        }
        if (at(j) == '.') {
            if (at(j + 1) == '.' && j > i) {
                out.add(TokenType.NUMBER, null, i); // "1..": integer, then the ".." operator
                return j;
            }
            j++;
            if (isDigit(at(j))) {
                j = decinteger(j);
            }
        }
        if (at(j) == 'e' || at(j) == 'E') {
            int k = j + 1;
            if (at(k) == '+' || at(k) == '-') {
                k++;
                if (!isDigit(at(k))) {
                    throw new SqlSyntaxException("trailing junk after numeric literal", i);
                }
            }
            if (isDigit(at(k))) {
                j = decinteger(k);
            }
        }
        return endNumber(i, j);
    }

    private int endNumber(int i, int j) throws SqlSyntaxException {
        if (j < n && isIdentStart(s.charAt(j))) {
            throw new SqlSyntaxException("trailing junk after numeric literal", i);
        }
        out.add(TokenType.NUMBER, null, i);
        return j;
    }

    private int decinteger(int j) {
        while (j < n && isDigit(s.charAt(j))) {
            j++;
            if (at(j) == '_' && isDigit(at(j + 1))) {
                j++;
            }
        }
        return j;
    }

    private static boolean inBase(char c, char base) {
        switch (base) {
            case 'x':
                return isHexDigit(c);
            case 'o':
                return c >= '0' && c <= '7';
            default:
                return c == '0' || c == '1';
        }
    }

    private int identOrPrefixed(int i) throws SqlSyntaxException {
        char c = s.charAt(i);
        char next = at(i + 1);
        if (next == '\'') {
            switch (c) {
                case 'e': case 'E':
                    return string(i, i + 2, StringStyle.EXTENDED);
                case 'b': case 'B': case 'x': case 'X':
                    return string(i, i + 2, StringStyle.BITS);
                case 'n': case 'N':
                    return string(i, i + 2, plain());
                default:
                    break;
            }
        }
        if ((c == 'u' || c == 'U') && next == '&') {
            char q = at(i + 2);
            if (q == '\'') {
                if (!standardConformingStrings) {
                    throw new SqlSyntaxException("unsafe use of string constant with Unicode escapes", i);
                }
                int end = string(i, i + 3, StringStyle.STANDARD);
                int[] pos = {end};
                uescape(pos);
                return pos[0];
            }
            if (q == '"') {
                return quotedIdent(i, i + 3, true);
            }
        }
        int j = i + 1;
        boolean upper = c >= 'A' && c <= 'Z';
        while (j < n && isIdentCont(s.charAt(j))) {
            char d = s.charAt(j);
            upper |= d >= 'A' && d <= 'Z';
            j++;
        }
        String word = s.substring(i, j);
        if (upper) {
            char[] cs = word.toCharArray();
            for (int k = 0; k < cs.length; k++) {
                if (cs[k] >= 'A' && cs[k] <= 'Z') {
                    cs[k] += 'a' - 'A';
                }
            }
            word = new String(cs);
        }
        out.add(TokenType.WORD, truncate(word), i);
        return j;
    }

    /** Truncates to NAMEDATALEN-1 bytes of UTF-8 at a character boundary, as the server does. */
    static String truncate(String id) {
        if (id.length() <= MAX_IDENTIFIER_BYTES / 3) {
            return id;
        }
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_IDENTIFIER_BYTES) {
            return id;
        }
        int bytesSoFar = 0;
        int k = 0;
        while (k < id.length()) {
            int cp = id.codePointAt(k);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytesSoFar + len > MAX_IDENTIFIER_BYTES) {
                break;
            }
            bytesSoFar += len;
            k += Character.charCount(cp);
        }
        return id.substring(0, k);
    }

    private int operator(int i) throws SqlSyntaxException {
        int j = i;
        while (j < n && isOpChar(s.charAt(j))) {
            j++;
        }
        int len = j - i;
        // an operator never contains the start of a comment
        for (int k = i; k < j - 1; k++) {
            char a = s.charAt(k);
            char b = s.charAt(k + 1);
            if ((a == '/' && b == '*') || (a == '-' && b == '-')) {
                len = k - i;
                break;
            }
        }
        if (len > 1 && (s.charAt(i + len - 1) == '+' || s.charAt(i + len - 1) == '-')) {
            boolean keep = false;
            for (int k = i; k < i + len - 1; k++) {
                if ("~!@#^&|`?%".indexOf(s.charAt(k)) >= 0) {
                    keep = true;
                    break;
                }
            }
            if (!keep) {
                do {
                    len--;
                } while (len > 1 && (s.charAt(i + len - 1) == '+' || s.charAt(i + len - 1) == '-'));
            }
        }
        if (len >= MAX_IDENTIFIER_BYTES + 1) {
            throw new SqlSyntaxException("operator too long", i);
        }
        out.add(TokenType.OP, s.substring(i, i + len), i);
        return i + len;
    }

    private int punctuation(int i, char c) throws SqlSyntaxException {
        switch (c) {
            case '(':
                out.add(TokenType.LPAREN, null, i);
                return i + 1;
            case ')':
                out.add(TokenType.RPAREN, null, i);
                return i + 1;
            case '[':
                out.add(TokenType.LBRACKET, null, i);
                return i + 1;
            case ']':
                out.add(TokenType.RBRACKET, null, i);
                return i + 1;
            case ',':
                out.add(TokenType.COMMA, null, i);
                return i + 1;
            case ';':
                out.add(TokenType.SEMICOLON, null, i);
                return i + 1;
            case '.':
                if (at(i + 1) == '.') {
                    out.add(TokenType.OP, "..", i);
                    return i + 2;
                }
                out.add(TokenType.DOT, null, i);
                return i + 1;
            case ':':
                if (at(i + 1) == ':') {
                    out.add(TokenType.OP, "::", i);
                    return i + 2;
                }
                if (at(i + 1) == '=') {
                    out.add(TokenType.OP, ":=", i);
                    return i + 2;
                }
                out.add(TokenType.COLON, null, i);
                return i + 1;
            case '\0':
                throw new SqlSyntaxException("NUL character in statement", i);
            default:
                throw new SqlSyntaxException("syntax error at or near \"" + c + "\"", i);
        }
    }
}
