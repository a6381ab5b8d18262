package dev.airlock.policy.sql.internal;

/** The lexical classes the analysis needs; finer distinctions (E'' vs '' …) are already resolved. */
public enum TokenType {
    /** An unquoted identifier or keyword; text is folded to lower case and truncated as the server does. */
    WORD,
    /** A delimited identifier ({@code "x"} or {@code U&"x"}); text is decoded and truncated. */
    QUOTED_IDENT,
    /** Any string constant: standard, E'', B'', X'', N'', U&'' (with UESCAPE), dollar-quoted. */
    STRING,
    NUMBER,
    /** A positional parameter {@code $n}. */
    PARAM,
    /** An operator, including {@code ::}, {@code ..}, {@code :=}, {@code =>} and single-character ones. */
    OP,
    LPAREN,
    RPAREN,
    LBRACKET,
    RBRACKET,
    COMMA,
    SEMICOLON,
    DOT,
    COLON
}
