package dev.airlock.config.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks policy files against {@code airlock.yaml}: every connection name pattern in a rule matches at
 * least one defined connection, and every approval channel is defined ({@code web} and {@code cli}
 * always are). {@code airlock check-config} reports these with the file's other problems.
 */
public final class PolicyCrossCheck {

    private PolicyCrossCheck() {}

    /** Checks {@code documents} against a loaded {@code airlock.yaml}. */
    public static List<PolicyProblem> check(List<PolicyDocument> documents, dev.airlock.config.AirlockConfig config) {
        Set<String> names = new java.util.HashSet<>();
        config.connections().forEach(c -> names.add(c.name()));
        return check(documents, names, config.channelIds());
    }

    /**
     * @param connections connection names defined in {@code airlock.yaml}
     * @param channels    channel ids defined in {@code airlock.yaml} ({@code kind:name})
     * @return every problem found, in file order; empty when the files agree with {@code airlock.yaml}
     */
    public static List<PolicyProblem> check(List<PolicyDocument> documents, Set<String> connections, Set<String> channels) {
        List<PolicyProblem> out = new ArrayList<>();
        for (PolicyDocument d : documents) {
            for (ApprovalProfile p : d.approvalProfiles().values()) {
                for (String ch : p.channels()) {
                    if (!ch.equals("web") && !ch.equals("cli") && !channels.contains(ch)) {
                        Set<String> defined = new TreeSet<>(channels);
                        defined.add("web");
                        defined.add("cli");
                        out.add(new PolicyProblem(p.location(), "approval_profiles." + p.name() + ".channels",
                                "'" + ch + "' is not a channel defined in airlock.yaml (defined: " + String.join(", ", defined) + ")"));
                    }
                }
            }
            for (int i = 0; i < d.rules().size(); i++) {
                PolicyRule r = d.rules().get(i);
                connectionNames(r.match(), "rules[" + i + "].match", r.location(), connections, out);
            }
        }
        return out;
    }

    private static void connectionNames(Match m, String path, SourceLocation at, Set<String> connections,
                                        List<PolicyProblem> out) {
        if (m.connection() != null) {
            for (String pattern : m.connection().name()) {
                Pattern re = globRegex(pattern);
                if (connections.stream().noneMatch(c -> re.matcher(c).matches())) {
                    out.add(new PolicyProblem(at, path + ".connection.name", "'" + pattern
                            + "' matches no connection in airlock.yaml (defined: "
                            + String.join(", ", new TreeSet<>(connections)) + ")"));
                }
            }
        }
        for (int i = 0; i < m.any().size(); i++) {
            connectionNames(m.any().get(i), path + ".any[" + i + "]", at, connections, out);
        }
        for (int i = 0; i < m.all().size(); i++) {
            connectionNames(m.all().get(i), path + ".all[" + i + "]", at, connections, out);
        }
        if (m.not() != null) {
            connectionNames(m.not(), path + ".not", at, connections, out);
        }
    }

    private static Pattern globRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                sb.append(".*");
            } else if (c == '?') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString(), Pattern.DOTALL);
    }
}
