/** JMH benchmarks of the SQL analysis; run by hand (see BENCHMARKS.md), never during {@code verify}. */
package dev.airlock.policy.sql.bench;
