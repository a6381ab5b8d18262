package dev.airlock.approvals;

import static dev.airlock.approvals.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApprovalServiceTest {

    private final InMemoryApprovalStore store = new InMemoryApprovalStore();
    private final RecordingChannel channel = new RecordingChannel();
    private final ApprovalService service = new ApprovalService(store, List.of(channel),
            new ApprovalService.Settings("replica-a", Duration.ofMillis(200), 2), Clock.systemUTC());

    @AfterEach
    void close() {
        service.close();
    }

    /** Records what the service asked of a channel. */
    static final class RecordingChannel implements ApprovalChannel {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public String kind() {
            return "test";
        }

        @Override
        public Optional<String> post(ApprovalRequest request, String target) {
            events.add("post " + target + " " + request.id());
            return Optional.of("ref-" + request.id());
        }

        @Override
        public void remind(ApprovalRequest request, String target, String ref) {
            events.add("remind " + ref);
        }

        @Override
        public void finish(ApprovalRequest request, ApprovalOutcome outcome, String target, String ref) {
            events.add("finish " + ref + " " + outcome.state());
        }
    }

    private PendingApproval ask(ApprovalProfile p) throws InterruptedException {
        PendingApproval f = service.request(update("UPDATE orders SET x = 1 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        String e;
        do { // a finish repeated for an earlier request may still be queued
            e = channel.events.poll(5, TimeUnit.SECONDS);
        } while (e != null && e.startsWith("finish "));
        assertThat(e).isEqualTo("post room " + f.requestId());
        return f;
    }

    private static ApprovalProfile oneApprover() {
        return profile(Duration.ofMinutes(5), List.of("test:room", "web"));
    }

    @Test
    void approvesOnceQuorumOfDistinctApproversIsReached() throws Exception {
        PendingApproval f = ask(profile(2, Duration.ofMinutes(5), null, Duration.ZERO, List.of("test:room")));
        VoteResult first = service.vote(f.requestId(), BOB, Vote.APPROVE, null, "rest");
        assertThat(first.accepted()).isTrue();
        assertThat(first.state()).isEqualTo(ApprovalState.PENDING);
        VoteResult again = service.vote(f.requestId(), BOB, Vote.APPROVE, null, "slack");
        assertThat(again.rejection()).isEqualTo(VoteRejection.ALREADY_VOTED);
        assertThat(f).isNotDone();
        // erin is eligible by email in approvers.users, not by group
        Identity erin = new Identity(ISS, "erin", "ERIN@example.com", Set.of(), Map.of(), List.of());
        VoteResult second = service.vote(f.requestId(), erin, Vote.APPROVE, null, "rest");
        assertThat(second.state()).isEqualTo(ApprovalState.APPROVED);
        ApprovalOutcome o = f.get(5, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(ApprovalOutcome.Approved.class);
        assertThat(((ApprovalOutcome.Approved) o).approvers()).extracting(Approver::subject).containsExactly("bob", "erin");
        assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("finish ref-" + f.requestId() + " APPROVED");
    }

    @Test
    void oneDenyEndsTheRequestAndALateVoteSaysWhoDecided() throws Exception {
        PendingApproval f = ask(profile(2, Duration.ofMinutes(5), null, Duration.ZERO, List.of("test:room")));
        service.vote(f.requestId(), BOB, Vote.APPROVE, null, "rest");
        VoteResult deny = service.vote(f.requestId(), CAROL, Vote.DENY, "not during business hours", "rest");
        assertThat(deny.state()).isEqualTo(ApprovalState.DENIED);
        ApprovalOutcome.Denied o = (ApprovalOutcome.Denied) f.get(5, TimeUnit.SECONDS);
        assertThat(o.by().subject()).isEqualTo("carol");
        assertThat(o.reason()).isEqualTo("not during business hours");
        Identity erin = new Identity(ISS, "erin", "erin@example.com", Set.of(), Map.of(), List.of());
        VoteResult late = service.vote(f.requestId(), erin, Vote.APPROVE, null, "rest");
        assertThat(late.accepted()).isFalse();
        assertThat(late.rejection()).isEqualTo(VoteRejection.ALREADY_DECIDED);
        assertThat(late.message()).contains("denied by carol@example.com: not during business hours");
        assertThat(store.refusals).extracting(VoteRecord::rejection).containsExactly(VoteRejection.ALREADY_DECIDED);
    }

    @Test
    void nobodyInTheDelegationChainMayVote() throws Exception {
        PendingApproval f = ask(oneApprover());
        assertThat(service.vote(f.requestId(), AGENT_ITSELF, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.SELF_APPROVAL);
        Identity alice = new Identity(ISS, "alice", null, Set.of("dba"), Map.of(), List.of());
        assertThat(service.vote(f.requestId(), alice, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.SELF_APPROVAL);
        assertThat(service.vote(f.requestId(), ALICE_ELSEWHERE, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.SELF_APPROVAL);
        Identity agentByEmail = new Identity("https://other", "x", "agent-7@bots.example.com", Set.of("dba"), Map.of(), List.of());
        assertThat(service.vote(f.requestId(), agentByEmail, Vote.DENY, null, "rest").rejection())
                .isEqualTo(VoteRejection.SELF_APPROVAL);
        Identity delegated = new Identity(ISS, "bob", "bob@example.com", Set.of("dba"), Map.of(),
                List.of(new Identity.Actor("other-agent", ISS, Map.of())));
        assertThat(service.vote(f.requestId(), delegated, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.DELEGATED_VOTER);
        assertThat(service.vote(f.requestId(), DAVE, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.NOT_APPROVER);
        assertThat(f).isNotDone();
        assertThat(store.refusals).hasSize(6);
        assertThat(store.votes(f.requestId())).isEmpty();
    }

    @Test
    void expiresAfterTheProfileTimeoutAndRefusesLaterVotes() throws Exception {
        PendingApproval f = ask(profile(Duration.ofMillis(300), List.of("test:room")));
        assertThat(f.get(5, TimeUnit.SECONDS)).isInstanceOf(ApprovalOutcome.Expired.class);
        assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("finish ref-" + f.requestId() + " EXPIRED");
        VoteResult late = service.vote(f.requestId(), BOB, Vote.APPROVE, null, "rest");
        assertThat(late.rejection()).isEqualTo(VoteRejection.EXPIRED);
        assertThat(late.state()).isEqualTo(ApprovalState.EXPIRED);
    }

    @Test
    void cancellingTheStageCancelsTheRequest() throws Exception {
        PendingApproval f = ask(oneApprover());
        f.cancel(true);
        assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("finish ref-" + f.requestId() + " CANCELLED");
        assertThat(store.find(f.requestId()).orElseThrow().state()).isEqualTo(ApprovalState.CANCELLED);
        assertThat(service.vote(f.requestId(), BOB, Vote.APPROVE, null, "rest").rejection())
                .isEqualTo(VoteRejection.ALREADY_DECIDED);
    }

    @Test
    void concurrentApproveAndDenyHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 20; i++) {
                PendingApproval f = ask(oneApprover());
                CountDownLatch go = new CountDownLatch(1);
                Future<VoteResult> a = pool.submit(() -> {
                    go.await();
                    return service.vote(f.requestId(), BOB, Vote.APPROVE, null, "slack");
                });
                Future<VoteResult> d = pool.submit(() -> {
                    go.await();
                    return service.vote(f.requestId(), CAROL, Vote.DENY, "no", "rest");
                });
                go.countDown();
                ApprovalState fin = f.get(5, TimeUnit.SECONDS).state();
                assertThat(a.get().state()).isEqualTo(fin);
                assertThat(d.get().state()).isEqualTo(fin);
                assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("finish ref-" + f.requestId() + " " + fin);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void grantWindowCoversARepeatOfTheSameActionBySameIdentityOnly() throws Exception {
        ApprovalProfile p = profile(1, Duration.ofMinutes(5), null, Duration.ofMinutes(10), List.of("test:room"));
        PendingApproval first = ask(p);
        service.vote(first.requestId(), BOB, Vote.APPROVE, null, "rest");
        first.get(5, TimeUnit.SECONDS);
        PendingApproval repeat = service.request(update("UPDATE orders SET x = 1 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        ApprovalOutcome.Approved o = (ApprovalOutcome.Approved) repeat.get(5, TimeUnit.SECONDS);
        assertThat(o.fromGrant()).isTrue();
        assertThat(o.requestId()).isEqualTo(first.requestId());
        PendingApproval other = service.request(update("UPDATE orders SET x = 2 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        String e;
        do { // the first request's finish (possibly twice: it is idempotent) comes first
            e = channel.events.poll(5, TimeUnit.SECONDS);
        } while (e != null && e.startsWith("finish "));
        assertThat(e).isEqualTo("post room " + other.requestId());
        assertThat(other).isNotDone();
        // the same statement by someone else is not covered either
        PendingApproval byCarol = service.request(update("UPDATE orders SET x = 1 WHERE id = 42"), CAROL, p, context());
        do { // the first request's finish is announced asynchronously and may come only now
            e = channel.events.poll(5, TimeUnit.SECONDS);
        } while (e != null && e.startsWith("finish "));
        assertThat(e).isEqualTo("post room " + byCarol.requestId());
        assertThat(byCarol).isNotDone();
    }

    @Test
    void remindsWhileStillPending() throws Exception {
        PendingApproval f = ask(profile(1, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ZERO, List.of("test:room")));
        assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("remind ref-" + f.requestId());
        f.cancel(true);
    }

    @Test
    void restartCancelsRequestsWhoseWaiterIsGone() throws Exception {
        PendingApproval f = ask(oneApprover());
        service.close();
        try (ApprovalService again = new ApprovalService(store, List.of(channel),
                new ApprovalService.Settings("replica-a", Duration.ofSeconds(1), 1), Clock.systemUTC())) {
            again.start();
            StoredApproval s = store.find(f.requestId()).orElseThrow();
            assertThat(s.state()).isEqualTo(ApprovalState.CANCELLED);
            assertThat(s.reason()).contains("restarted");
            assertThat(channel.events.poll(5, TimeUnit.SECONDS)).isEqualTo("finish ref-" + f.requestId() + " CANCELLED");
        }
    }
}
