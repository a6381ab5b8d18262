package dev.airlock.approvals.slack.internal;

/** Making untrusted text safe for Slack {@code mrkdwn}, within Slack's length limits. */
public final class SlackText {

    private SlackText() {
    }

    /** The plain-text broadcast words Slack may turn into mentions when it preprocesses text. */
    private static final String[] BROADCASTS = {"channel", "here", "everyone"};
    /** U+2060 WORD JOINER: invisible, and no longer "@here" to Slack's parser. */
    private static final char WORD_JOINER = '\u2060';

    /**
     * Escapes {@code & < >} so the text cannot mention {@code <!channel>}, users or inject links, and breaks a
     * plain {@code @channel}, {@code @here} or {@code @everyone} with an invisible word joiner after the {@code @}
     * (cards also set {@code verbatim}, so Slack does not preprocess them; this holds even where it would).
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '@', '\uFF20' -> {
                    sb.append(c);
                    if (broadcastAt(s, i + 1)) {
                        sb.append(WORD_JOINER);
                    }
                }
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean broadcastAt(String s, int from) {
        for (String word : BROADCASTS) {
            if (s.regionMatches(true, from, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Escapes {@code s} and cuts it so the result is at most {@code max} chars, ending with an ellipsis
     * when cut; never splits an entity or a surrogate pair.
     */
    public static String escapeAndTruncate(String s, int max) {
        String e = escape(s);
        if (e.length() <= max) {
            return e;
        }
        int cut = max - 1; // room for '…'
        int amp = e.lastIndexOf('&', cut - 1);
        if (amp >= 0 && amp > cut - 5) { // "&amp;" is the longest entity (5)
            int semi = e.indexOf(';', amp);
            if (semi >= cut) {
                cut = amp;
            }
        }
        if (cut > 0 && Character.isHighSurrogate(e.charAt(cut - 1))) {
            cut--;
        }
        return e.substring(0, cut) + "…";
    }

    /** Text for a code block: triple backticks in the text cannot close the block early. */
    public static String codeBlock(String s, int max) {
        String body = s == null ? "" : s.replace("```", "`\u200b`\u200b`");
        return "```" + escapeAndTruncate(body, max - 6) + "```";
    }

    /** Plain-text fields (headers, button labels) are not parsed for mentions, but still limited. */
    public static String plain(String s, int max) {
        return dev.airlock.approvals.internal.Texts.cut(s, max);
    }
}
