package dev.airlock.policy.bench;

import dev.airlock.policy.Decision;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Decisions per second of <em>thread CPU time</em> for the {@link PolicyDecisionBenchmark} scenarios: a
 * per-core figure that a busy, shared machine does not distort the way wall-clock throughput is.
 * Run: {@code ./mvnw -B -pl policy-engine -am -Pbench -DskipTests test -Dbench.main=dev.airlock.policy.bench.DecisionCpuRate}
 */
public final class DecisionCpuRate {

    private DecisionCpuRate() {}

    interface Op {
        Decision run();
    }

    public static void main(String[] args) throws Exception {
        PolicyDecisionBenchmark b = new PolicyDecisionBenchmark();
        b.setUp();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] names = {"sqlCachedShape", "sqlRead", "sqlTextThroughAnalyzerCache", "httpBody", "sshExec"};
        Op[] ops = {b::sqlCachedShape, b::sqlRead, b::sqlTextThroughAnalyzerCache, b::httpBody, b::sshExec};
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
        long sink = 0;
        for (int i = 0; i < ops.length; i++) {
            for (int w = 0; w < 3; w++) { // warm-up rounds
                for (int k = 0; k < n / 5; k++) {
                    sink += ops[i].run().matchedRules().size();
                }
            }
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < n; k++) {
                    sink += ops[i].run().matchedRules().size();
                }
                long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                best = Math.max(best, n / (cpu / 1e9));
            }
            System.out.printf("%-30s %,12.0f decisions per CPU-second (best of 5 rounds of %,d)%n", names[i], best, n);
        }
        System.out.println("(sink " + sink + ")");
    }
}
