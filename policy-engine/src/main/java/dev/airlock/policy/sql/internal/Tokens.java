package dev.airlock.policy.sql.internal;

import java.util.Arrays;

/**
 * The token stream of one input string, as parallel arrays (no per-token object). {@link #text(int)} is the
 * folded word, the decoded identifier or the operator; {@code null} for literals and punctuation.
 */
public final class Tokens {

    private final String source;
    private TokenType[] types = new TokenType[64];
    private String[] texts = new String[64];
    private int[] starts = new int[64];
    private int size;

    Tokens(String source) {
        this.source = source;
    }

    void add(TokenType type, String text, int start) {
        if (size == types.length) {
            int n = size * 2;
            types = Arrays.copyOf(types, n);
            texts = Arrays.copyOf(texts, n);
            starts = Arrays.copyOf(starts, n);
        }
        types[size] = type;
        texts[size] = text;
        starts[size] = start;
        size++;
    }

    public int size() {
        return size;
    }

    public TokenType type(int i) {
        return types[i];
    }

    public String text(int i) {
        return texts[i];
    }

    /** Offset of the token's first character in the input. */
    public int start(int i) {
        return starts[i];
    }

    /** True when token {@code i} exists and is the unquoted word {@code w} (lower case). */
    public boolean isWord(int i, String w) {
        return i >= 0 && i < size && types[i] == TokenType.WORD && texts[i].equals(w);
    }

    public boolean is(int i, TokenType t) {
        return i >= 0 && i < size && types[i] == t;
    }

    /** An identifier (quoted or not) usable as a name. */
    public boolean isName(int i) {
        return i >= 0 && i < size && (types[i] == TokenType.WORD || types[i] == TokenType.QUOTED_IDENT);
    }

    /**
     * The value of token {@code i} when it is a plain {@code '…'} string literal whose value is a word of letters,
     * digits, {@code _} and {@code .} (a setting name, say) on one line; {@code null} for anything else — an
     * E-, U&amp;-, dollar-quoted or continued string, one holding a quote, backslash or space — so a caller that
     * must not be fooled by escapes never has to decode one.
     */
    public String plainWord(int i) {
        if (!is(i, TokenType.STRING) || source.charAt(starts[i]) != '\'') {
            return null;
        }
        int from = starts[i] + 1;
        int k = from;
        while (k < source.length() && isWordChar(source.charAt(k))) {
            k++;
        }
        if (k == from || k >= source.length() || source.charAt(k) != '\'') {
            return null;
        }
        // the token ends at this quote unless it continues: '' (an embedded quote) or quote, newline, quote
        int next = i + 1 < size ? starts[i + 1] : source.length();
        for (int j = k + 1; j < next; j++) {
            char c = source.charAt(j);
            if (c != ' ' && c != '\t') {
                return null;
            }
        }
        return source.substring(from, k);
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }

    /** True when token {@code i} is an operator with exactly this text. */
    public boolean isOp(int i, String op) {
        return i >= 0 && i < size && types[i] == TokenType.OP && texts[i].equals(op);
    }
}
