package dev.airlock.policy.sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a psql script (PostgreSQL's regression tests are psql scripts) into the query buffers psql would send
 * to the server, following psql's own scanner ({@code src/fe_utils/psqlscan.l}) as far as splitting goes: a
 * buffer ends at a semicolon outside quotes, comments and parentheses (and outside {@code BEGIN … END} of a
 * {@code CREATE FUNCTION|PROCEDURE}), or at a meta-command that sends it ({@code \g}, {@code \gset} …);
 * {@code \;} puts a semicolon into the buffer without sending it; other meta-commands are dropped with their
 * arguments; {@code COPY … FROM STDIN} data is skipped up to {@code \.}.
 *
 * <p>Deliberately independent of the analyser's lexer: it decides which text goes to PostgreSQL's parser, and
 * PostgreSQL's parser is what the analyser is compared with. A buffer that psql would change before sending
 * (variable interpolation {@code :name}, {@code :'name'}, {@code :"name"}) or that the server would read with
 * {@code standard_conforming_strings} off carries a reason to leave it out.
 */
public final class PsqlScript {

    /** One query buffer as psql sends it; {@code skip} says why it is left out of the comparison, or null. */
    public record Buffer(int line, String sql, String skip) {
    }

    /** Meta-commands that send the query buffer. */
    private static final Set<String> SENDING = Set.of("g", "gx", "gset", "gexec", "gdesc", "crosstabview", "watch",
            "sendpipeline", "parse", "bind_named");

    private final String s;
    private final int n;
    private final List<Buffer> out = new ArrayList<>();
    private final Set<String> variables = new HashSet<>();
    private boolean standardStrings = true;

    private final StringBuilder buf = new StringBuilder();
    private int bufLine;
    private int line = 1;
    private int parens;
    private int brackets;
    private int beginDepth;
    private final List<String> initialWords = new ArrayList<>();
    private final List<String> topWords = new ArrayList<>();
    private String skip;
    private boolean copyDataPending;

    private PsqlScript(String script) {
        this.s = script;
        this.n = script.length();
    }

    public static List<Buffer> split(String script) {
        PsqlScript p = new PsqlScript(script);
        p.run();
        return p.out;
    }

    private char at(int i) {
        return i < n ? s.charAt(i) : '\0';
    }

    private static boolean identStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identCont(char c) {
        return identStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static boolean variableChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') || c >= 0x80;
    }

    private void run() {
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                if (copyDataPending) {
                    copyDataPending = false;
                    i = skipCopyData(i);
                    continue;
                }
                append("\n");
            } else if (c == '-' && at(i + 1) == '-') {
                int j = i;
                while (j < n && s.charAt(j) != '\n') {
                    j++;
                }
                append(s.substring(i, j));
                i = j;
            } else if (c == '/' && at(i + 1) == '*') {
                i = copyBlockComment(i);
            } else if (c == '\'') {
                i = copyString(i, i + 1, !standardStrings);
            } else if ((c == 'e' || c == 'E') && at(i + 1) == '\'' && !identCont(prev(i))) {
                i = copyString(i, i + 2, true);
            } else if ((c == 'u' || c == 'U') && at(i + 1) == '&' && at(i + 2) == '\'' && !identCont(prev(i))) {
                i = copyString(i, i + 3, false);
            } else if ((c == 'u' || c == 'U') && at(i + 1) == '&' && at(i + 2) == '"' && !identCont(prev(i))) {
                i = copyQuoted(i, i + 3, '"');
            } else if ("bBxXnN".indexOf(c) >= 0 && at(i + 1) == '\'' && !identCont(prev(i))) {
                i = copyString(i, i + 2, (c == 'n' || c == 'N') && !standardStrings);
            } else if (c == '"') {
                i = copyQuoted(i, i + 1, '"');
            } else if (c == '$' && !identCont(prev(i)) && dollarTagEnd(i) > 0) {
                int tagEnd = dollarTagEnd(i);
                String tag = s.substring(i, tagEnd);
                int close = s.indexOf(tag, tagEnd);
                int end = close < 0 ? n : close + tag.length();
                append(s.substring(i, end));
                line += count(s, i, end, '\n');
                i = end;
            } else if (identStart(c)) {
                int j = i + 1;
                while (j < n && identCont(s.charAt(j))) {
                    j++;
                }
                word(s.substring(i, j).toLowerCase(Locale.ROOT));
                append(s.substring(i, j));
                i = j;
            } else if (c == '(') {
                parens++;
                append("(");
                i++;
            } else if (c == ')') {
                parens = Math.max(0, parens - 1);
                append(")");
                i++;
            } else if (c == '[') {
                brackets++;
                append("[");
                i++;
            } else if (c == ']') {
                brackets = Math.max(0, brackets - 1);
                append("]");
                i++;
            } else if (c == ';') {
                append(";");
                i++;
                if (parens == 0 && beginDepth == 0) {
                    send();
                }
            } else if (c == ':' && at(i + 1) == ':') {
                append("::");
                i += 2;
            } else if (c == ':' && (at(i + 1) == '\'' || at(i + 1) == '"') && variableChar(at(i + 2))) {
                int j = i + 2;
                while (j < n && variableChar(s.charAt(j))) {
                    j++;
                }
                if (at(j) == at(i + 1)) {
                    markSkip("psql variable " + s.substring(i, j + 1));
                    append(s.substring(i, j + 1));
                    i = j + 1;
                } else {
                    append(":");
                    i++;
                }
            } else if (c == ':' && at(i + 1) == '{' && at(i + 2) == '?') {
                int j = s.indexOf('}', i);
                j = j < 0 ? n : j + 1;
                markSkip("psql variable test " + s.substring(i, j));
                append(s.substring(i, j));
                i = j;
            } else if (c == ':' && variableChar(at(i + 1))) {
                int j = i + 1;
                while (j < n && variableChar(s.charAt(j))) {
                    j++;
                }
                String name = s.substring(i + 1, j);
                // psql substitutes only variables that exist; an array slice a[1:n] stays as written
                if (variables.contains(name) || brackets == 0) {
                    markSkip("psql variable :" + name);
                }
                append(s.substring(i, j));
                i = j;
            } else if (c == '\\') {
                i = metaCommand(i);
            } else {
                append(String.valueOf(c));
                i++;
            }
        }
        if (!buf.toString().isBlank()) {
            send();
        }
    }

    private char prev(int i) {
        return i > 0 ? s.charAt(i - 1) : ' ';
    }

    private static int count(String s, int from, int to, char c) {
        int k = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                k++;
            }
        }
        return k;
    }

    /** End of a dollar-quote tag starting at i ("$" or "$tag$"), or -1 when i starts no tag. */
    private int dollarTagEnd(int i) {
        if (at(i + 1) == '$') {
            return i + 2;
        }
        if (!identStart(at(i + 1))) {
            return -1;
        }
        int j = i + 2;
        while (j < n && (identStart(s.charAt(j)) || Character.isDigit(s.charAt(j)))) {
            j++;
        }
        return at(j) == '$' ? j + 1 : -1;
    }

    private void append(String text) {
        if (buf.length() == 0) {
            if (text.isBlank()) {
                return; // white space between buffers belongs to no statement
            }
            bufLine = line;
        }
        buf.append(text);
    }

    private void markSkip(String reason) {
        if (skip == null) {
            skip = reason;
        }
    }

    private void word(String w) {
        if (parens > 0) {
            return;
        }
        if (initialWords.size() < 4) {
            initialWords.add(w);
        }
        topWords.add(w);
        if (!isCreateRoutine()) {
            return;
        }
        switch (w) {
            case "begin" -> beginDepth++;
            case "case" -> {
                if (beginDepth >= 1) {
                    beginDepth++; // CASE … END inside a routine body
                }
            }
            case "end" -> {
                if (beginDepth > 0) {
                    beginDepth--;
                }
            }
            default -> {
            }
        }
    }

    /** psql's psqlscan_is_create_routine: CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
    private boolean isCreateRoutine() {
        List<String> w = initialWords;
        if (w.size() < 2 || !w.get(0).equals("create")) {
            return false;
        }
        if (w.get(1).equals("function") || w.get(1).equals("procedure")) {
            return true;
        }
        return w.size() >= 4 && w.get(1).equals("or") && w.get(2).equals("replace")
                && (w.get(3).equals("function") || w.get(3).equals("procedure"));
    }

    private int copyBlockComment(int i) {
        int depth = 1;
        int j = i + 2;
        while (j < n && depth > 0) {
            if (s.charAt(j) == '/' && at(j + 1) == '*') {
                depth++;
                j += 2;
            } else if (s.charAt(j) == '*' && at(j + 1) == '/') {
                depth--;
                j += 2;
            } else {
                j++;
            }
        }
        append(s.substring(i, j));
        line += count(s, i, j, '\n');
        return j;
    }

    private int copyString(int start, int j, boolean backslashEscapes) {
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\'' && at(j + 1) == '\'') {
                j += 2;
            } else if (c == '\'') {
                j++;
                break;
            } else if (c == '\\' && backslashEscapes) {
                j += 2;
            } else {
                j++;
            }
        }
        j = Math.min(j, n);
        append(s.substring(start, j));
        line += count(s, start, j, '\n');
        return j;
    }

    private int copyQuoted(int start, int j, char q) {
        while (j < n) {
            if (s.charAt(j) == q && at(j + 1) == q) {
                j += 2;
            } else if (s.charAt(j) == q) {
                j++;
                break;
            } else {
                j++;
            }
        }
        j = Math.min(j, n);
        append(s.substring(start, j));
        line += count(s, start, j, '\n');
        return j;
    }

    /** A backslash outside quotes: a meta-command and its arguments, up to the end of the line or the next one. */
    private int metaCommand(int i) {
        char c1 = at(i + 1);
        if (c1 == ';' || c1 == ':') {
            append(String.valueOf(c1)); // forced into the buffer, not sent
            if (c1 == ';' && parens == 0 && beginDepth == 0) {
                initialWords.clear();
                topWords.clear();
            }
            return i + 2;
        }
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        if (j == i + 1 && j < n && s.charAt(j) != '\n') {
            j++; // \! \? \. \\ …
        }
        String cmd = s.substring(i + 1, j);
        // arguments: up to the end of the line or an unquoted backslash (the next meta-command)
        int k = j;
        StringBuilder args = new StringBuilder();
        while (k < n && s.charAt(k) != '\n') {
            char c = s.charAt(k);
            if (c == '\'' || c == '"' || c == '`') {
                int e = k + 1;
                while (e < n && s.charAt(e) != '\n' && s.charAt(e) != c) {
                    if (c == '\'' && s.charAt(e) == '\\') {
                        e++;
                    }
                    e++;
                }
                args.append(s, k, Math.min(e + 1, n));
                k = Math.min(e + 1, n);
                continue;
            }
            if (c == '\\') {
                break;
            }
            args.append(c);
            k++;
        }
        String a = args.toString().trim();
        String first = a.isEmpty() ? "" : a.split("\\s+")[0];
        switch (cmd) {
            case "set", "getenv" -> {
                if (!first.isEmpty()) {
                    variables.add(first);
                }
            }
            case "r", "reset" -> resetBuffer();
            case "copy" -> {
                if (a.toLowerCase(Locale.ROOT).matches("(?s).*\\bfrom\\s+stdin\\b.*")) {
                    copyDataPending = true;
                }
            }
            default -> {
            }
        }
        if (SENDING.contains(cmd)) {
            if (buf.toString().isBlank()) {
                resetBuffer(); // psql would repeat the previous query: not a new statement
            } else {
                send();
            }
        }
        return k;
    }

    private int skipCopyData(int i) {
        while (i < n) {
            int eol = s.indexOf('\n', i);
            int end = eol < 0 ? n : eol;
            String l = s.substring(i, end);
            i = eol < 0 ? n : eol + 1;
            line++;
            if (l.equals("\\.") || l.equals("\\.\r")) {
                break;
            }
        }
        return i;
    }

    private void resetBuffer() {
        buf.setLength(0);
        parens = 0;
        brackets = 0;
        beginDepth = 0;
        initialWords.clear();
        topWords.clear();
        skip = null;
    }

    private void send() {
        String sql = buf.toString().strip();
        if (!sql.isEmpty() && !sql.equals(";")) {
            String lower = sql.toLowerCase(Locale.ROOT);
            boolean copyFromStdin = !topWords.isEmpty() && topWords.get(0).equals("copy") && hasFromStdin(topWords);
            String reason = skip;
            if (reason == null && !standardStrings) {
                reason = "standard_conforming_strings is off";
            }
            out.add(new Buffer(bufLine, sql, reason));
            trackStandardStrings(lower);
            if (copyFromStdin) {
                copyDataPending = true;
            }
        }
        resetBuffer();
    }

    private static boolean hasFromStdin(List<String> words) {
        for (int k = 0; k + 1 < words.size(); k++) {
            if (words.get(k).equals("from") && words.get(k + 1).equals("stdin")) {
                return true;
            }
        }
        return false;
    }

    private void trackStandardStrings(String lower) {
        String one = lower.replaceAll("\\s+", " ");
        if (one.matches("(?s)(set (session |local )?standard_conforming_strings( to | ?= ?)'?(off|false|0)'?).*")) {
            standardStrings = false;
        } else if (one.matches("(?s)(set (session |local )?standard_conforming_strings( to | ?= ?)'?(on|true|1|default)'?).*")
                || one.matches("(?s)reset (standard_conforming_strings|all).*")) {
            standardStrings = true;
        }
    }
}
