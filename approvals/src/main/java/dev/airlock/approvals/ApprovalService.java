package dev.airlock.approvals;

import dev.airlock.approvals.internal.Eligibility;
import dev.airlock.audit.RecordBudget;
import dev.airlock.policy.Action;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code require_approval} decision into a human decision.
 *
 * <p>{@link #request} never blocks: the store and the channels are called on the service's own
 * threads. Every state change is a compare-and-set in the {@link ApprovalStore}, so two clicks, two
 * channels or two replicas never both win; the replica holding the waiting connection learns of a
 * decision made elsewhere from the store's notifications, or from polling when those are lost.
 */
public final class ApprovalService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApprovalService.class);

    private final ApprovalStore store;
    private final Map<String, ApprovalChannel> channels = new ConcurrentHashMap<>();
    private final Settings settings;
    private final Clock clock;
    private final RecordBudget rejectedBudget;
    private final ExecutorService worker;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private volatile AutoCloseable subscription;
    private volatile ScheduledFuture<?> poller;

    /**
     * Service settings.
     *
     * @param replicaId     identifies this Airlock process across restarts (e.g. the host name): pending
     *                      requests it owned are cancelled when it starts again
     * @param pollInterval  how often to re-read the state of waiting requests and sweep expired ones,
     *                      in case a notification was lost
     * @param workerThreads threads for store and channel calls
     */
    public record Settings(String replicaId, Duration pollInterval, int workerThreads) {
        public Settings {
            Objects.requireNonNull(replicaId, "replicaId");
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (replicaId.isEmpty()) {
                throw new IllegalArgumentException("replicaId: '' (expected: non-empty)");
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
            }
            if (workerThreads < 1) {
                throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: >= 1)");
            }
        }

        public static Settings of(String replicaId) {
            return new Settings(replicaId, Duration.ofSeconds(5), 4);
        }
    }

    private static final class Waiter {
        final ApprovalRequest request;
        final PendingApproval future;
        final List<ScheduledFuture<?>> timers = new ArrayList<>(2);

        Waiter(ApprovalRequest request, PendingApproval future) {
            this.request = request;
            this.future = future;
        }
    }

    public ApprovalService(ApprovalStore store, List<? extends ApprovalChannel> channels, Settings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rejectedBudget = new RecordBudget(REJECTED_PER_MINUTE, clock);
        for (ApprovalChannel c : channels) {
            addChannel(c);
        }
        this.worker = Executors.newFixedThreadPool(settings.workerThreads(), daemon("airlock-approvals-"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("airlock-approvals-timer-"));
    }

    /** Registers a channel (e.g. Slack once its client is built); one per kind. */
    public void addChannel(ApprovalChannel channel) {
        if (channels.putIfAbsent(channel.kind(), channel) != null) {
            throw new IllegalArgumentException("channel kind: '" + channel.kind() + "' (expected: registered once)");
        }
    }

    /**
     * Recovers after a restart and starts listening for decisions made by other replicas: pending requests
     * this replica owned are cancelled (their connections are gone) or expired. Blocks on the store.
     */
    public void start() {
        subscription = store.subscribe(id -> {
            if (waiters.containsKey(id)) {
                worker.execute(() -> settle(id));
            }
        });
        Instant now = clock.instant();
        for (StoredApproval s : store.pending()) {
            if (!s.request().owner().equals(settings.replicaId()) || waiters.containsKey(s.id())) {
                continue;
            }
            if (!now.isBefore(s.request().expiresAt())) {
                transition(s.id(), ApprovalState.EXPIRED, null, null, null);
            } else {
                transition(s.id(), ApprovalState.CANCELLED, null, null, "Airlock restarted; the waiting connection is gone");
            }
        }
        long ms = settings.pollInterval().toMillis();
        poller = scheduler.scheduleWithFixedDelay(() -> worker.execute(this::poll), ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for approval of {@code action}. Never blocks. The returned stage completes with the outcome;
     * cancelling it cancels the request (the agent went away).
     */
    public PendingApproval request(Action action, Identity identity, ApprovalProfile profile, ApprovalContext context) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(context, "context");
        if (!action.connection().equals(context.connection().name())) {
            throw new IllegalArgumentException("context.connection: '" + context.connection().name()
                    + "' (expected: the action's connection '" + action.connection() + "')");
        }
        Instant now = clock.instant();
        ApprovalRequest r = new ApprovalRequest(newId(), profile, identity, action.digest(), render(action),
                action.connection(), action.protocol().name().toLowerCase(Locale.ROOT), context.policyVersion(),
                context.ruleIds(), context.explanation(), context.statedReason(), context.impact(), context.targets(),
                now, now.plus(profile.timeout()), settings.replicaId(), context.sessionId(), context.actionId());
        PendingApproval f = new PendingApproval(r.id());
        f.whenComplete((o, t) -> {
            if (t instanceof CancellationException) {
                worker.execute(() -> cancel(r.id(), "the agent went away"));
            }
        });
        worker.execute(() -> begin(r, f));
        return f;
    }

    private void begin(ApprovalRequest r, PendingApproval f) {
        try {
            if (!r.profile().grantWindow().isZero()) {
                Optional<StoredApproval> grant = store.findGrant(r.actionDigest(), r.requesterKey(), r.connection(), r.policyVersion(),
                        r.createdAt().minus(r.profile().grantWindow()));
                if (grant.isPresent()) {
                    f.posted.complete(List.of());
                    f.complete(new ApprovalOutcome.Approved(grant.get().id(), approvers(store.votes(grant.get().id())), true));
                    return;
                }
            }
            store.create(r);
        } catch (RuntimeException e) {
            log.warn("approval request {} could not be stored", r.id(), e);
            f.posted.completeExceptionally(e);
            f.completeExceptionally(e);
            return;
        }
        Waiter w = new Waiter(r, f);
        waiters.put(r.id(), w);
        long toExpiry = Math.max(0, Duration.between(clock.instant(), r.expiresAt()).toMillis());
        synchronized (w) {
            w.timers.add(scheduler.schedule(() -> worker.execute(() -> expire(r.id())), toExpiry, TimeUnit.MILLISECONDS));
            Duration remind = r.profile().remindAfter();
            if (remind != null && remind.compareTo(r.profile().timeout()) < 0) {
                long ms = remind.toMillis();
                w.timers.add(scheduler.scheduleAtFixedRate(() -> worker.execute(() -> remind(r)), ms, ms, TimeUnit.MILLISECONDS));
            }
        }
        if (f.isDone()) {
            // cancelled while being stored; the whenComplete hook may have run before the row existed
            cancel(r.id(), "the agent went away");
            f.posted.complete(List.of());
            return;
        }
        List<String> postedTo = new ArrayList<>();
        for (String spec : r.profile().channels()) {
            int colon = spec.indexOf(':');
            ApprovalChannel ch = colon < 0 ? null : channels.get(spec.substring(0, colon));
            if (ch == null) {
                if (colon < 0) {
                    postedTo.add(spec); // web / cli: approvers pull
                }
                continue;
            }
            try {
                Optional<String> ref = ch.post(r, spec.substring(colon + 1));
                postedTo.add(spec);
                if (ref.isPresent() && store.addDelivery(r.id(), spec, ref.get()).isFinal()) {
                    // decided between posting and storing the delivery: the announcement may have missed it
                    Optional<StoredApproval> now = store.find(r.id()).filter(st -> st.state().isFinal());
                    if (now.isPresent()) {
                        ch.finish(r, outcomeOf(now.get()), spec.substring(colon + 1), ref.get());
                    }
                }
            } catch (Exception e) {
                log.warn("approval request {}: posting to {} failed", r.id(), spec, e);
            }
        }
        f.posted.complete(List.copyOf(postedTo));
    }

    /**
     * Casts a vote. Blocks on the store (one read and one transaction); call it off any event loop. A
     * repeated or late vote is a no-op whose result says the final state and who decided.
     */
    public VoteResult vote(String requestId, Identity voter, Vote vote, String reason, String channel) {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(voter, "voter");
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(channel, "channel");
        Instant now = clock.instant();
        Optional<StoredApproval> found = store.find(requestId);
        if (found.isEmpty()) {
            return new VoteResult(requestId, false, ApprovalState.CANCELLED, VoteRejection.NOT_FOUND, VoteRejection.NOT_FOUND.message());
        }
        StoredApproval s = found.get();
        if (s.state().isFinal()) {
            return refuse(s, voter.subject(), voter.email(), channel, vote, s.state() == ApprovalState.EXPIRED
                    ? VoteRejection.EXPIRED : VoteRejection.ALREADY_DECIDED);
        }
        if (!now.isBefore(s.request().expiresAt())) {
            expire(requestId);
            return refuse(store.find(requestId).orElse(s), voter.subject(), voter.email(), channel, vote, VoteRejection.EXPIRED);
        }
        VoteRejection why = Eligibility.check(s.request().profile(), s.request().requester(), voter);
        if (why != null) {
            return refuse(s, voter.subject(), voter.email(), channel, vote, why);
        }
        String given = reason == null || reason.isBlank() ? null : reason;
        VoteRecord v = new VoteRecord(requestId, voter.subject(), voter.email(), channel, vote, given, null, now);
        int quorum = s.request().profile().quorum();
        ApprovalStore.Cast c = store.castVote(v, quorum);
        switch (c.status()) {
            case RECORDED -> {
                long distinct = c.votes().stream().filter(x -> x.vote() == Vote.APPROVE).map(VoteRecord::voterSubject)
                        .distinct().count();
                return new VoteResult(requestId, true, ApprovalState.PENDING, null,
                        "Approval recorded (" + distinct + " of " + quorum + ").");
            }
            case DECIDED -> {
                StoredApproval decided = new StoredApproval(s.request(), c.state(), c.decidedBy(), c.reason(), c.decidedAt());
                ApprovalOutcome o = outcomeOf(decided, c.votes());
                complete(requestId, o);
                announce(s.request(), o);
                return new VoteResult(requestId, true, c.state(), null, c.state() == ApprovalState.APPROVED ? "Approved." : "Denied.");
            }
            case ALREADY_VOTED -> {
                return refuse(s, voter.subject(), voter.email(), channel, vote, VoteRejection.ALREADY_VOTED);
            }
            case PAST_DEADLINE -> {
                expire(requestId);
                return refuse(store.find(requestId).orElse(s), voter.subject(), voter.email(), channel, vote, VoteRejection.EXPIRED);
            }
            default -> { // NOT_PENDING: decided elsewhere between the read and the vote
                StoredApproval fin = new StoredApproval(s.request(), c.state(), c.decidedBy(), c.reason(), c.decidedAt());
                settle(requestId);
                return refuse(fin, voter.subject(), voter.email(), channel, vote,
                        c.state() == ApprovalState.EXPIRED ? VoteRejection.EXPIRED : VoteRejection.ALREADY_DECIDED);
            }
        }
    }

    /**
     * Checks whether {@code voter} could vote now without recording anything; channels use it before
     * opening a deny-reason dialog. Blocks on the store.
     *
     * @return the refusal, or empty when the vote would be accepted
     */
    public Optional<VoteResult> precheck(String requestId, Identity voter, Vote vote, String channel) {
        Optional<StoredApproval> found = store.find(requestId);
        if (found.isEmpty()) {
            return Optional.of(new VoteResult(requestId, false, ApprovalState.CANCELLED, VoteRejection.NOT_FOUND,
                    VoteRejection.NOT_FOUND.message()));
        }
        StoredApproval s = found.get();
        VoteRejection why = s.state().isFinal()
                ? (s.state() == ApprovalState.EXPIRED ? VoteRejection.EXPIRED : VoteRejection.ALREADY_DECIDED)
                : !clock.instant().isBefore(s.request().expiresAt()) ? VoteRejection.EXPIRED
                : Eligibility.check(s.request().profile(), s.request().requester(), voter);
        return why == null ? Optional.empty() : Optional.of(refuse(s, voter.subject(), voter.email(), channel, vote, why));
    }

    /**
     * Records a vote a channel refused before it reached an identity (unmapped, bot, guest, ...) and
     * returns the answer for the clicker.
     */
    public VoteResult refuseUnmapped(String requestId, String chatUser, String channel, Vote vote, VoteRejection why) {
        Optional<StoredApproval> s = store.find(requestId);
        if (s.isEmpty()) {
            return new VoteResult(requestId, false, ApprovalState.CANCELLED, VoteRejection.NOT_FOUND, VoteRejection.NOT_FOUND.message());
        }
        return refuse(s.get(), chatUser, null, channel, vote, why);
    }

    private VoteResult refuse(StoredApproval s, String subject, String email, String channel, Vote vote, VoteRejection why) {
        try {
            store.recordRefusal(new VoteRecord(s.id(), subject, email, channel, vote, null, why, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("approval request {}: refused vote by {} could not be recorded", s.id(), subject, e);
        }
        String msg = why.message() + (s.state().isFinal() ? " (" + describeFinal(s) + ")." : ".");
        return new VoteResult(s.id(), false, s.state(), why, msg);
    }

    /** At most this many refused deliveries are recorded one by one per minute; the rest are counted. */
    static final int REJECTED_PER_MINUTE = 120;

    /**
     * Records a chat delivery refused before it reached a request (forged, stale, replayed, misdirected), off
     * the caller's thread. A flood cannot flood the lineage store: past {@value #REJECTED_PER_MINUTE} a minute
     * they are only counted, and the count is recorded when the next minute starts.
     */
    public void recordRejectedDelivery(RejectedDelivery r) {
        Objects.requireNonNull(r, "r");
        RecordBudget.Admission admission = rejectedBudget.take();
        boolean record = admission.record();
        RejectedDelivery first = admission.suppressedBefore() == 0 ? null
                : new RejectedDelivery(r.channel(), admission.suppressedBefore() + " more refused deliveries in the last minute "
                        + "that had refusals were not recorded one by one (more than " + REJECTED_PER_MINUTE + " a minute)", null, null,
                        null, null, r.at());
        if (!record && first == null) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    if (first != null) {
                        store.recordRejectedDelivery(first);
                    }
                    if (record) {
                        store.recordRejectedDelivery(r);
                    }
                } catch (RuntimeException e) {
                    log.warn("a refused {} delivery could not be recorded: {}", r.channel(), r.reason(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("a refused {} delivery was not recorded: the approval service is closed", r.channel());
        }
    }

    /** Cancels a pending request. Blocks on the store. @return whether this call cancelled it */
    public boolean cancel(String requestId, String reason) {
        return transition(requestId, ApprovalState.CANCELLED, null, null, reason);
    }

    /** The stored request and state, for REST and the web page. */
    public Optional<StoredApproval> find(String requestId) {
        return store.find(requestId);
    }

    /** Every pending request. */
    public List<StoredApproval> pending() {
        return store.pending();
    }

    /** The pending requests {@code voter} may vote on (same rules as {@link #vote}). */
    public List<StoredApproval> pendingFor(Identity voter) {
        return store.pending().stream().filter(s -> eligibility(s, voter) == null).toList();
    }

    /** A request as {@code viewer} may see it: its approvers and its own requester chain may, nobody else. */
    public Optional<StoredApproval> findFor(String requestId, Identity viewer) {
        return store.find(requestId).filter(s -> {
            VoteRejection why = eligibility(s, viewer);
            return why == null || why == VoteRejection.SELF_APPROVAL;
        });
    }

    /** Why {@code voter} may not vote on {@code s} (ignoring its state), or {@code null} when it may. */
    public VoteRejection eligibility(StoredApproval s, Identity voter) {
        return Eligibility.check(s.request().profile(), s.request().requester(), voter);
    }

    /** The outcome of a decided request. */
    public Optional<ApprovalOutcome> outcome(String requestId) {
        return store.find(requestId).filter(s -> s.state().isFinal()).map(this::outcomeOf);
    }

    private void expire(String requestId) {
        transition(requestId, ApprovalState.EXPIRED, null, null, null);
    }

    private boolean transition(String id, ApprovalState to, String by, String channel, String reason) {
        boolean won;
        try {
            won = store.compareAndSet(id, to, by, channel, reason, clock.instant());
        } catch (RuntimeException e) {
            log.warn("approval request {}: state change to {} failed", id, to, e);
            return false;
        }
        if (won) {
            // cancel and expire carry no votes to show: the request this replica waits for is enough
            Waiter w = waiters.get(id);
            StoredApproval s = w != null && (to == ApprovalState.CANCELLED || to == ApprovalState.EXPIRED)
                    ? new StoredApproval(w.request, to, by, reason, clock.instant()) : store.find(id).orElseThrow();
            ApprovalOutcome o = outcomeOf(s);
            complete(id, o);
            announce(s.request(), o);
        } else {
            settle(id);
        }
        return won;
    }

    private void settle(String id) {
        if (!waiters.containsKey(id)) {
            return;
        }
        try {
            store.find(id).filter(s -> s.state().isFinal()).ifPresent(s -> complete(id, outcomeOf(s)));
        } catch (RuntimeException e) {
            log.warn("approval request {}: state could not be read", id, e);
        }
    }

    private void complete(String id, ApprovalOutcome o) {
        Waiter w = waiters.remove(id);
        if (w == null) {
            return;
        }
        synchronized (w) {
            w.timers.forEach(t -> t.cancel(false));
        }
        w.future.complete(o);
    }

    private void announce(ApprovalRequest r, ApprovalOutcome o) {
        worker.execute(() -> {
            for (ApprovalStore.Delivery d : store.deliveries(r.id())) {
                int colon = d.channel().indexOf(':');
                ApprovalChannel ch = colon < 0 ? null : channels.get(d.channel().substring(0, colon));
                if (ch == null) {
                    continue;
                }
                try {
                    ch.finish(r, o, d.channel().substring(colon + 1), d.ref());
                } catch (Exception e) {
                    log.warn("approval request {}: updating {} failed", r.id(), d.channel(), e);
                }
            }
        });
    }

    private void remind(ApprovalRequest r) {
        if (!waiters.containsKey(r.id())) {
            return;
        }
        for (ApprovalStore.Delivery d : store.deliveries(r.id())) {
            int colon = d.channel().indexOf(':');
            ApprovalChannel ch = colon < 0 ? null : channels.get(d.channel().substring(0, colon));
            if (ch != null) {
                try {
                    ch.remind(r, d.channel().substring(colon + 1), d.ref());
                } catch (Exception e) {
                    log.warn("approval request {}: reminder on {} failed", r.id(), d.channel(), e);
                }
            }
        }
    }

    private void poll() {
        try {
            for (String id : List.copyOf(waiters.keySet())) {
                settle(id);
            }
            Instant now = clock.instant();
            for (StoredApproval s : store.pending()) {
                if (!now.isBefore(s.request().expiresAt())) {
                    expire(s.id());
                }
            }
        } catch (RuntimeException e) {
            log.warn("approval poll failed", e);
        }
    }

    private ApprovalOutcome outcomeOf(StoredApproval s) {
        return outcomeOf(s, null);
    }

    /** @param votes the request's accepted votes when already known, else {@code null} (read when needed) */
    private ApprovalOutcome outcomeOf(StoredApproval s, List<VoteRecord> votes) {
        return switch (s.state()) {
            case APPROVED -> new ApprovalOutcome.Approved(s.id(), approvers(votes != null ? votes : store.votes(s.id())), false);
            case DENIED -> {
                Approver by = (votes != null ? votes : store.votes(s.id())).stream()
                        .filter(v -> v.vote() == Vote.DENY && v.voterSubject().equals(s.decidedBy()))
                        .findFirst().map(VoteRecord::approver)
                        .orElse(new Approver(String.valueOf(s.decidedBy()), null, "unknown",
                                s.decidedAt() == null ? clock.instant() : s.decidedAt()));
                yield new ApprovalOutcome.Denied(s.id(), by, s.reason());
            }
            case EXPIRED -> new ApprovalOutcome.Expired(s.id());
            case CANCELLED -> new ApprovalOutcome.Cancelled(s.id(), s.reason());
            case PENDING -> throw new IllegalStateException("request " + s.id() + " is still pending");
        };
    }

    private List<Approver> approvers(List<VoteRecord> votes) {
        List<Approver> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (VoteRecord v : votes) {
            if (v.vote() == Vote.APPROVE && seen.add(v.voterSubject())) {
                out.add(v.approver());
            }
        }
        return out;
    }

    private String describeFinal(StoredApproval s) {
        return switch (s.state()) {
            case PENDING -> "still pending";
            case EXPIRED -> "it expired at " + s.request().expiresAt();
            default -> {
                String d = outcomeOf(s).describe();
                yield "already " + Character.toLowerCase(d.charAt(0)) + d.substring(1);
            }
        };
    }

    static String render(Action action) {
        return action instanceof SqlAction sql ? sql.text() : action.summary();
    }

    private static String newId() {
        return UUID.randomUUID().toString(); // type 4: 122 bits from SecureRandom
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops timers, the poller and the store subscription; pending requests stay pending in the store. */
    @Override
    public void close() {
        ScheduledFuture<?> p = poller;
        if (p != null) {
            p.cancel(false);
        }
        AutoCloseable sub = subscription;
        if (sub != null) {
            try {
                sub.close();
            } catch (Exception e) {
                log.debug("closing the store subscription failed", e);
            }
        }
        scheduler.shutdownNow();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        }
    }
}
