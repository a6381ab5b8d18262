/** Benchmark mains for the approvals module (not run by {@code verify}; see BENCHMARKS.md). */
package dev.airlock.approvals.bench;
