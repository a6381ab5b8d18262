package dev.airlock.config.yaml.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.airlock.config.yaml.Location;
import dev.airlock.config.yaml.Problems;
import dev.airlock.config.yaml.YamlMapping;
import dev.airlock.config.yaml.YamlNode;
import dev.airlock.config.yaml.YamlScalar;
import dev.airlock.config.yaml.YamlSequence;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a located {@link YamlNode} tree from Jackson's streaming YAML parser. Reports syntax errors,
 * duplicate keys, aliases and extra documents as problems instead of throwing. Parse messages are
 * cut to their first line so that file content (which may hold a literal secret) is never echoed.
 */
public final class YamlTreeReader {

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    private final String file;
    private final Problems problems;

    private YamlTreeReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    public static Optional<YamlNode> read(String file, String content, Problems problems) {
        return new YamlTreeReader(file, problems).read(content);
    }

    private Optional<YamlNode> read(String content) {
        int before = problems.size();
        try (YAMLParser parser = (YAMLParser) FACTORY.createParser(content)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                // An empty document (or only comments) is an empty mapping located at 1:1.
                return Optional.of(new YamlMapping(new Location(file, 1, 1), "", Map.of(), Map.of()));
            }
            YamlNode root = readValue(parser, "");
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                problems.add(location(parser.currentTokenLocation()), "",
                        "a second YAML document is not supported here (remove the '---' separator)");
            }
            return problems.size() == before ? Optional.of(root) : Optional.empty();
        } catch (JacksonException e) {
            MarkedYAMLException marked = findMarked(e);
            if (marked != null && marked.getProblemMark() != null) {
                // SnakeYAML's own problem and context, without the snippet of file content it appends.
                Mark m = marked.getProblemMark();
                String context = marked.getContext();
                problems.add(new Location(file, m.getLine() + 1, m.getColumn() + 1), "",
                        "invalid YAML: " + firstLine(marked.getProblem())
                                + (context == null ? "" : " (" + firstLine(context) + ")"));
                return Optional.empty();
            }
            JsonLocation at = e.getLocation();
            String message = firstLine(e.getOriginalMessage());
            if (message.startsWith("Expected a field name")) {
                message = "mapping keys must be plain values, not lists or mappings";
            }
            problems.add(at == null ? new Location(file, 1, 1) : location(at), "", "invalid YAML: " + message);
            return Optional.empty();
        } catch (IOException e) {
            problems.add(new Location(file, 1, 1), "", "cannot read: " + firstLine(e.getMessage()));
            return Optional.empty();
        }
    }

    private YamlNode readValue(YAMLParser p, String path) throws IOException {
        Location at = location(p.currentTokenLocation());
        if (p.isCurrentAlias()) {
            problems.add(at, path, "YAML aliases (*name) are not supported; write the value out");
            return new YamlScalar(at, path, "", YamlScalar.Type.NULL);
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                Map<String, Location> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Location keyAt = location(p.currentTokenLocation());
                    p.nextToken();
                    String childPath = childPath(path, key);
                    YamlNode value = readValue(p, childPath);
                    if (keys.containsKey(key)) {
                        problems.add(keyAt, childPath, "duplicate key (first defined at "
                                + keys.get(key).line() + ":" + keys.get(key).column() + ")");
                        continue;
                    }
                    keys.put(key, keyAt);
                    entries.put(key, value);
                }
                return new YamlMapping(at, path, entries, keys);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(p, path + "[" + items.size() + "]"));
                }
                return new YamlSequence(at, path, items);
            }
            case VALUE_STRING:
                return new YamlScalar(at, path, p.getText(), YamlScalar.Type.STRING);
            case VALUE_NUMBER_INT:
                return new YamlScalar(at, path, p.getText(), YamlScalar.Type.INTEGER);
            case VALUE_NUMBER_FLOAT:
                return new YamlScalar(at, path, p.getText(), YamlScalar.Type.FLOAT);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YamlScalar(at, path, p.getText(), YamlScalar.Type.BOOLEAN);
            case VALUE_NULL:
                return new YamlScalar(at, path, "", YamlScalar.Type.NULL);
            default:
                // Embedded objects (binary tags) and anything else Jackson may surface.
                problems.add(at, path, "unsupported YAML value");
                p.skipChildren();
                return new YamlScalar(at, path, "", YamlScalar.Type.NULL);
        }
    }

    /** {@code parent.key}, or {@code parent["odd key"]} for keys that are not plain identifiers. */
    public static String childPath(String parent, String key) {
        if (key.matches("[A-Za-z0-9_\\-]+")) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    private static MarkedYAMLException findMarked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    private Location location(JsonLocation l) {
        return new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

}
