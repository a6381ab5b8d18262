/** Benchmarks of the PostgreSQL relay; not run by {@code verify} (see BENCHMARKS.md for the command). */
package dev.airlock.connectors.postgres.bench;
