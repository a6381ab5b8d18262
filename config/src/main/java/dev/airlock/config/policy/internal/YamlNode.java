package dev.airlock.config.policy.internal;

import dev.airlock.config.policy.SourceLocation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value with the place it was written. */
public sealed interface YamlNode {

    SourceLocation location();

    /** What this node is called in messages: {@code a mapping}, {@code a list}, {@code a string} … */
    String describe();

    /** A mapping; keys keep their order and their own locations. */
    record MapNode(SourceLocation location, Map<String, Entry> entries) implements YamlNode {
        public MapNode {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** One key of a mapping, located at the key. */
    record Entry(SourceLocation keyLocation, String key, YamlNode value) {}

    record ListNode(SourceLocation location, List<YamlNode> items) implements YamlNode {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar; {@code type} says how YAML typed it. {@code text} is {@code null} for a YAML null. */
    record Scalar(SourceLocation location, ScalarType type, String text) implements YamlNode {
        @Override
        public String describe() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER, DECIMAL -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
            };
        }
    }

    enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }
}
