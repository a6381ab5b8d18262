/** JMH benchmarks of policy evaluation; run with {@code -Pbench}, never during {@code verify} (see BENCHMARKS.md). */
package dev.airlock.policy.bench;
