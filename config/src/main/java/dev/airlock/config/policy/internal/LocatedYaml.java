package dev.airlock.config.policy.internal;

import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.SourceLocation;
import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.Location;
import dev.airlock.config.yaml.Problems;
import dev.airlock.config.yaml.Yaml;
import dev.airlock.config.yaml.YamlMapping;
import dev.airlock.config.yaml.YamlScalar;
import dev.airlock.config.yaml.YamlSequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses policy YAML with the shared located reader ({@link Yaml}: duplicate keys, aliases and extra
 * documents are problems) and converts it into the policy binder's {@link YamlNode} tree.
 */
public final class LocatedYaml {

    private LocatedYaml() {}

    /** Parses {@code text}; an empty document yields an empty mapping at 1:1. */
    public static YamlNode parse(String file, String text) {
        Problems problems = new Problems();
        Optional<dev.airlock.config.yaml.YamlNode> root = Yaml.parse(file, text, problems);
        if (!problems.isEmpty() || root.isEmpty()) {
            List<PolicyProblem> out = new ArrayList<>();
            for (ConfigProblem p : problems.list()) {
                out.add(PolicyProblem.of(p));
            }
            if (out.isEmpty()) {
                out.add(new PolicyProblem(new SourceLocation(file, 1, 1), "", "not valid YAML"));
            }
            throw new PolicyException(out);
        }
        return convert(root.get());
    }

    static SourceLocation loc(Location l) {
        return new SourceLocation(l.file(), l.line(), l.column());
    }

    private static YamlNode convert(dev.airlock.config.yaml.YamlNode node) {
        if (node instanceof YamlMapping m) {
            Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> entries.put(k, new YamlNode.Entry(loc(m.keyLocation(k)), k, convert(v))));
            return new YamlNode.MapNode(loc(m.location()), entries);
        }
        if (node instanceof YamlSequence s) {
            return new YamlNode.ListNode(loc(s.location()), s.items().stream().map(LocatedYaml::convert).toList());
        }
        YamlScalar s = (YamlScalar) node;
        YamlNode.ScalarType type = switch (s.type()) {
            case STRING -> YamlNode.ScalarType.STRING;
            case INTEGER -> YamlNode.ScalarType.INTEGER;
            case FLOAT -> YamlNode.ScalarType.DECIMAL;
            case BOOLEAN -> YamlNode.ScalarType.BOOLEAN;
            case NULL -> YamlNode.ScalarType.NULL;
        };
        String text = type == YamlNode.ScalarType.NULL ? null
                : type == YamlNode.ScalarType.BOOLEAN ? s.text().toLowerCase(java.util.Locale.ROOT) : s.text();
        return new YamlNode.Scalar(loc(s.location()), type, text);
    }
}
