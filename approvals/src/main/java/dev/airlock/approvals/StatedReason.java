package dev.airlock.approvals;

/**
 * The agent's own account of why it wants to run an action: shown to approvers next to the action, never trusted
 * and never an input of the decision, the action digest or the grant window. Sources, in the order the gate
 * tries them: the HTTP header {@value #HTTP_HEADER}, a leading SQL comment {@code /* reason: … *}{@code /} or
 * {@code -- reason: …}, and for database sessions the {@code application_name} the client connected with.
 *
 * <p>Whatever the source, {@link #clean} makes it one line of at most {@value #MAX_LENGTH} characters with no
 * control, format (bidi override, zero-width) or unassigned characters; channels still escape it for their
 * own markup (Slack mrkdwn, HTML).
 */
public final class StatedReason {

    /** The longest reason kept, in UTF-16 units; longer ones are cut and end with an ellipsis. */
    public static final int MAX_LENGTH = 500;
    /** The HTTP request header an agent states its reason in (hidden from policy). */
    public static final String HTTP_HEADER = "X-Airlock-Reason";
    /** The label a comment or {@code application_name} starts with (any case), e.g. {@code reason: fix order 42}. */
    static final String LABEL = "reason:";
    /** Comments looked at before the statement starts; a longer preamble is not searched further. */
    private static final int MAX_LEADING_COMMENTS = 16;

    private StatedReason() {
    }

    /**
     * One line, control and format characters removed (tabs and line breaks become spaces, runs of spaces one),
     * at most {@value #MAX_LENGTH} characters; {@code null} when nothing is left.
     */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LENGTH + 1));
        boolean space = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = b.length() > 0;
                continue;
            }
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                continue;
            }
            if (space) {
                b.append(' ');
                space = false;
            }
            b.appendCodePoint(cp);
            if (b.length() > MAX_LENGTH) {
                break;
            }
        }
        if (b.length() == 0) {
            return null;
        }
        if (b.length() <= MAX_LENGTH) {
            return b.toString();
        }
        int cut = MAX_LENGTH - 1;
        if (Character.isHighSurrogate(b.charAt(cut - 1))) {
            cut--;
        }
        return b.substring(0, cut) + "…";
    }

    /**
     * The reason in the comments before a SQL statement's first token: the first comment whose text starts with
     * {@code reason:} (any case), e.g. {@code /* reason: fix order 42 *}{@code / UPDATE …} or
     * {@code -- reason: fix order 42⏎UPDATE …}. Block comments nest, as in PostgreSQL. Comments after the first
     * token and unterminated block comments are not read. {@code null} when there is none.
     */
    public static String fromSql(String sql) {
        if (sql == null) {
            return null;
        }
        int i = 0;
        int n = sql.length();
        for (int comments = 0; comments < MAX_LEADING_COMMENTS; comments++) {
            while (i < n && Character.isWhitespace(sql.charAt(i))) {
                i++;
            }
            String body;
            if (sql.startsWith("--", i)) {
                int end = i + 2;
                while (end < n && sql.charAt(end) != '\n' && sql.charAt(end) != '\r') {
                    end++;
                }
                body = sql.substring(i + 2, end);
                i = end;
            } else if (sql.startsWith("/*", i)) {
                int depth = 1;
                int j = i + 2;
                while (j < n && depth > 0) {
                    if (sql.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (sql.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                    } else {
                        j++;
                    }
                }
                if (depth > 0) {
                    return null; // unterminated: PostgreSQL refuses the statement anyway
                }
                body = sql.substring(i + 2, j - 2);
                i = j;
            } else {
                return null;
            }
            String reason = labelled(body);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /** The reason in an HTTP {@value #HTTP_HEADER} header value; {@code null} when absent or empty. */
    public static String fromHeader(String value) {
        return clean(value);
    }

    /**
     * Context from a database session's {@code application_name}: the text after {@code reason:} when the client
     * used that convention, else the name itself, labelled ({@code application_name: psql}); {@code null} when unset.
     */
    public static String fromApplicationName(String applicationName) {
        String labelled = labelled(applicationName);
        if (labelled != null) {
            return labelled;
        }
        String name = clean(applicationName);
        return name == null ? null : clean("application_name: " + name);
    }

    /** The text after a leading {@code reason:} label (ignoring leading spaces and asterisks), cleaned; else {@code null}. */
    private static String labelled(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == '*')) {
            i++;
        }
        if (!text.regionMatches(true, i, LABEL, 0, LABEL.length())) {
            return null;
        }
        String rest = text.substring(i + LABEL.length());
        // a block comment written as /** … **/ or with a trailing " *"
        int end = rest.length();
        while (end > 0 && (rest.charAt(end - 1) == '*' || Character.isWhitespace(rest.charAt(end - 1)))) {
            end--;
        }
        return clean(rest.substring(0, end));
    }
}
