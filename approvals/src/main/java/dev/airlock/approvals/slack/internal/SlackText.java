package dev.airlock.approvals.slack.internal;

/** Making untrusted text safe for Slack {@code mrkdwn}, within Slack's length limits. */
public final class SlackText {

    private SlackText() {
    }

    /** Escapes {@code & < >} so the text cannot mention {@code <!channel>}, users or inject links. */
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
                default -> sb.append(c);
            }
        }
        return sb.toString();
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
        if (s.length() <= max) {
            return s;
        }
        int cut = max - 1;
        if (Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut) + "…";
    }
}
