package dev.airlock.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The gate's Prometheus meters: sessions, decisions, approvals and decision latency. */
public final class GateMetrics {

    private final MeterRegistry registry;
    private final AtomicLong activeSessions = new AtomicLong();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer decisionLatency;
    private final Timer approvalWait;

    public GateMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("airlock_sessions_active", activeSessions);
        this.decisionLatency = Timer.builder("airlock_decision_latency")
                .description("From command received to verdict, excluding time waiting for humans")
                .publishPercentileHistogram().register(registry);
        this.approvalWait = Timer.builder("airlock_approval_wait")
                .description("From approval requested to outcome").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void sessionOpened(String connection) {
        activeSessions.incrementAndGet();
        counter("airlock_sessions_total", "connection", connection, "result", "opened").increment();
    }

    void sessionRejected(String reason) {
        counter("airlock_sessions_total", "connection", "", "result", reason).increment();
    }

    void sessionClosed() {
        activeSessions.decrementAndGet();
    }

    void decision(String connection, String effect) {
        counter("airlock_decisions_total", "connection", connection, "effect", effect).increment();
    }

    void approval(String outcome) {
        counter("airlock_approvals_total", "outcome", outcome, "x", "").increment();
    }

    void decided(long nanos) {
        decisionLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void waited(long nanos) {
        approvalWait.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private Counter counter(String name, String k1, String v1, String k2, String v2) {
        String key = name + '|' + v1 + '|' + v2;
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, x -> k2.equals("x")
                    ? Counter.builder(name).tag(k1, v1).register(registry)
                    : Counter.builder(name).tag(k1, v1).tag(k2, v2).register(registry));
        }
        return c;
    }
}
