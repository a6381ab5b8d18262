/** Benchmark mains for the lineage store (not run by {@code verify}; see BENCHMARKS.md). */
package dev.airlock.audit.bench;
