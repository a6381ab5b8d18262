package dev.airlock.config.policy;

import java.util.List;

/** A policy file (or a policy test file) did not validate; carries every problem found, in file order. */
public final class PolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<PolicyProblem> problems;

    public PolicyException(List<PolicyProblem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one)");
        }
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    private static String render(List<PolicyProblem> problems) {
        StringBuilder sb = new StringBuilder();
        for (PolicyProblem p : problems) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(p);
        }
        return sb.toString();
    }
}
