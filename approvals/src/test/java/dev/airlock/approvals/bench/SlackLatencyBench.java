package dev.airlock.approvals.bench;

import static dev.airlock.approvals.Fixtures.*;

import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.ApprovalStore;
import dev.airlock.approvals.InMemoryStoreAccess;
import dev.airlock.approvals.JdbcApprovalStore;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.approvals.slack.SlackHarness;
import dev.airlock.testing.slack.SlackStandIn;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.testing.PostgresFixture;
import dev.airlock.testing.TestDatabase;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of request → card posted and click → outcome delivered, against the Slack stand-in on loopback,
 * with the JDBC store on embedded PostgreSQL. Not part of {@code verify}; see BENCHMARKS.md for the command.
 * Arguments: [iterations (default 300)] [warmup (default 50)] [store: postgres (default) | memory].
 */
public final class SlackLatencyBench {

    private static final Pattern ID = Pattern.compile("request ([0-9a-f-]{36})");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        boolean memory = args.length > 2 && args[2].equals("memory");
        TestDatabase db = memory ? null : PostgresFixture.get().newDatabase();
        try (LineageStore ls = memory ? null : LineageStore.open(new StoreConfig(db.jdbcUrl(), db.user(), db.password(), 8,
                Duration.ofSeconds(2)));
             ApprovalStore store = memory ? new InMemoryStoreAccess().store() : new JdbcApprovalStore(ls.dataSource(), "bench");
             SlackStandIn slack = new SlackStandIn()) {
            Map<String, CompletableFuture<Long>> cards = new ConcurrentHashMap<>();
            slack.onCall(c -> {
                if (c.method().equals("chat.postMessage") && c.param("text") != null) {
                    Matcher m = ID.matcher(c.param("text"));
                    if (m.find()) {
                        cards.computeIfAbsent(m.group(1), k -> new CompletableFuture<>()).complete(System.nanoTime());
                    }
                }
            });
            ApprovalProfile p = profile(Duration.ofMinutes(5), List.of("slack:#db-approvals"));
            for (SlackHarness.Transport t : SlackHarness.Transport.values()) {
                try (SlackHarness h = new SlackHarness(slack, store, t, "bench-" + t, Duration.ofSeconds(5))) {
                    long[] post = new long[n];
                    long[] click = new long[n];
                    for (int i = -warmup; i < n; i++) {
                        long t0 = System.nanoTime();
                        PendingApproval f = h.service.request(update("UPDATE orders SET total = " + i + " WHERE id = 42"),
                                AGENT_FOR_ALICE, p, context());
                        long card = cards.computeIfAbsent(f.requestId(), k -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
                        f.posted().toCompletableFuture().get(10, TimeUnit.SECONDS);
                        CompletableFuture<Long> done = new CompletableFuture<>();
                        f.whenComplete((o, e) -> done.complete(System.nanoTime()));
                        long t1 = System.nanoTime();
                        h.click(slack, ClickDriver.blockActions(SlackHarness.U_BOB, SlackStandIn.TEAM, SlackStandIn.APP,
                                f.requestId(), "airlock.approve", "1.0", ClickDriver.nextActionTs()));
                        long outcome = done.get(10, TimeUnit.SECONDS);
                        if (f.join().state() != ApprovalState.APPROVED) {
                            throw new IllegalStateException("unexpected outcome " + f.join());
                        }
                        cards.remove(f.requestId());
                        if (i >= 0) {
                            post[i] = card - t0;
                            click[i] = outcome - t1;
                        }
                        if (i % 100 == 0) {
                            slack.clear();
                        }
                    }
                    report(t + " request -> card posted", post);
                    report(t + " click -> outcome delivered", click);
                }
            }
        }
    }

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-45s n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", what, s.length,
                ms(s, 0.50), ms(s, 0.90), ms(s, 0.99), s[s.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
