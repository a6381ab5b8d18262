package dev.airlock.config.policy.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.SourceLocation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into a {@link YamlNode} tree whose every node knows its {@code file:line:column}.
 * Duplicate keys, anchors/aliases and several documents in one file are rejected.
 */
public final class LocatedYaml {

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private final String file;
    private final List<PolicyProblem> problems = new ArrayList<>();

    private LocatedYaml(String file) {
        this.file = file;
    }

    /** Parses {@code text}; an empty document yields an empty mapping at 1:1. */
    public static YamlNode parse(String file, String text) {
        LocatedYaml reader = new LocatedYaml(file);
        YamlNode root;
        try (YAMLParser p = (YAMLParser) FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode.MapNode(new SourceLocation(file, 1, 1), Map.of());
            }
            root = reader.read(p, "");
            if (p.nextToken() != null) {
                reader.problems.add(new PolicyProblem(reader.loc(p), "", "a second YAML document (expected: one document per file)"));
            }
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            SourceLocation at = l == null ? new SourceLocation(file, 1, 1)
                    : new SourceLocation(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
            throw new PolicyException(List.of(new PolicyProblem(at, "", "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyProblem(new SourceLocation(file, 1, 1), "", "cannot read: " + e.getMessage())));
        }
        if (!reader.problems.isEmpty()) {
            throw new PolicyException(reader.problems);
        }
        return root;
    }

    private SourceLocation loc(JsonParser p) {
        JsonLocation l = p.currentTokenLocation();
        return new SourceLocation(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private YamlNode read(YAMLParser p, String path) throws IOException {
        SourceLocation at = loc(p);
        if (p.getObjectId() != null || p.isCurrentAlias()) {
            problems.add(new PolicyProblem(at, path, "YAML anchors and aliases are not supported (expected: write the value out)"));
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    SourceLocation keyAt = loc(p);
                    String key = p.currentName();
                    p.nextToken();
                    String childPath = path.isEmpty() ? key : path + '.' + key;
                    YamlNode value = read(p, childPath);
                    if (entries.containsKey(key)) {
                        problems.add(new PolicyProblem(keyAt, childPath, "duplicate key (first at "
                                + entries.get(key).keyLocation() + ")"));
                    } else {
                        entries.put(key, new YamlNode.Entry(keyAt, key, value));
                    }
                }
                return new YamlNode.MapNode(at, entries);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, path + '[' + items.size() + ']'));
                }
                return new YamlNode.ListNode(at, items);
            }
            case VALUE_STRING:
                return new YamlNode.Scalar(at, YamlNode.ScalarType.STRING, p.getText());
            case VALUE_NUMBER_INT:
                return new YamlNode.Scalar(at, YamlNode.ScalarType.INTEGER, p.getText());
            case VALUE_NUMBER_FLOAT:
                return new YamlNode.Scalar(at, YamlNode.ScalarType.DECIMAL, p.getText());
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YamlNode.Scalar(at, YamlNode.ScalarType.BOOLEAN, t == JsonToken.VALUE_TRUE ? "true" : "false");
            case VALUE_NULL:
                return new YamlNode.Scalar(at, YamlNode.ScalarType.NULL, null);
            default:
                problems.add(new PolicyProblem(at, path, "unsupported YAML value " + t));
                return new YamlNode.Scalar(at, YamlNode.ScalarType.NULL, null);
        }
    }
}
