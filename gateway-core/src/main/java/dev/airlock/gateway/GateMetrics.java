package dev.airlock.gateway;

import dev.airlock.policy.Effect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gate's Prometheus meters, per listener: sessions, decisions, approvals, decision latency and approval wait.
 * Meters are resolved once per listener / connection / effect, so recording allocates nothing.
 */
public final class GateMetrics {

    private final MeterRegistry registry;
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();

    private final Counter refusalsUnrecorded;

    public GateMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.refusalsUnrecorded = Counter.builder("airlock_lineage_refusals_unrecorded")
                .description("Refused connections not recorded one by one: past the per-minute budget, or no queue room")
                .register(registry);
    }

    void refusalUnrecorded() {
        refusalsUnrecorded.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The meters of one listener (created on first use). */
    public Listener forListener(String listener) {
        return listeners.computeIfAbsent(listener, Listener::new);
    }

    /** Meters tagged {@code listener=<name>}. */
    public final class Listener {
        private final String name;
        private final AtomicLong activeSessions = new AtomicLong();
        private final Timer decisionLatency;
        private final Timer approvalWait;
        private final Map<String, Counter[]> decisions = new ConcurrentHashMap<>();
        private final Map<String, Counter> sessions = new ConcurrentHashMap<>();
        private final Map<String, Counter> approvals = new ConcurrentHashMap<>();

        Listener(String name) {
            this.name = name;
            registry.gauge("airlock_sessions_active", Tags.of("listener", name), activeSessions);
            this.decisionLatency = Timer.builder("airlock_decision_latency")
                    .description("From command received to verdict, excluding time waiting for humans")
                    .tag("listener", name).publishPercentileHistogram().register(registry);
            this.approvalWait = Timer.builder("airlock_approval_wait")
                    .description("From approval requested to outcome").tag("listener", name).register(registry);
        }

        void sessionOpened(String connection) {
            activeSessions.incrementAndGet();
            session(connection, "opened").increment();
        }

        void sessionRejected(String reason) {
            session("", reason).increment();
        }

        private Counter session(String connection, String result) {
            return sessions.computeIfAbsent(connection + '\0' + result, k -> Counter.builder("airlock_sessions_total")
                    .tags("listener", name, "connection", connection, "result", result).register(registry));
        }

        void sessionClosed() {
            activeSessions.decrementAndGet();
        }

        void decision(String connection, Effect effect) {
            Counter[] c = decisions.get(connection);
            if (c == null) {
                c = decisions.computeIfAbsent(connection, k -> {
                    Counter[] out = new Counter[Effect.values().length];
                    for (Effect e : Effect.values()) {
                        out[e.ordinal()] = Counter.builder("airlock_decisions_total")
                                .tags("listener", name, "connection", connection, "effect", e.yamlName()).register(registry);
                    }
                    return out;
                });
            }
            c[effect.ordinal()].increment();
        }

        void approval(String outcome) {
            approvals.computeIfAbsent(outcome, k -> Counter.builder("airlock_approvals_total")
                    .tags("listener", name, "outcome", outcome).register(registry)).increment();
        }

        void decided(long nanos) {
            decisionLatency.record(nanos, TimeUnit.NANOSECONDS);
        }

        void waited(long nanos) {
            approvalWait.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
