/** Benchmark mains for the HTTP connector (run by {@code bench/http.sh}); not tests. */
package dev.airlock.connectors.http.bench;
