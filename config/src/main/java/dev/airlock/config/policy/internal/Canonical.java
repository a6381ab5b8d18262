package dev.airlock.config.policy.internal;

import java.util.Map;
import java.util.TreeMap;

/** Renders a {@link YamlNode} tree canonically: keys sorted, scalars tagged with their YAML type, no locations. */
public final class Canonical {

    private Canonical() {}

    public static String render(YamlNode node) {
        StringBuilder sb = new StringBuilder();
        render(node, sb);
        return sb.toString();
    }

    private static void render(YamlNode node, StringBuilder sb) {
        if (node instanceof YamlNode.MapNode m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, YamlNode.Entry> e : new TreeMap<>(m.entries()).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(e.getKey(), sb);
                sb.append(':');
                render(e.getValue().value(), sb);
            }
            sb.append('}');
        } else if (node instanceof YamlNode.ListNode l) {
            sb.append('[');
            for (int i = 0; i < l.items().size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                render(l.items().get(i), sb);
            }
            sb.append(']');
        } else if (node instanceof YamlNode.Scalar s) {
            switch (s.type()) {
                case NULL -> sb.append("null");
                case BOOLEAN -> sb.append(s.text());
                case INTEGER, DECIMAL -> sb.append('#').append(s.text());
                case STRING -> quote(s.text(), sb);
            }
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
