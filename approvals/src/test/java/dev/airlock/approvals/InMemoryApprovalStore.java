package dev.airlock.approvals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Test helper: an {@link ApprovalStore} in memory with the same compare-and-set semantics as the JDBC one. */
final class InMemoryApprovalStore implements ApprovalStore {

    private final Map<String, StoredApproval> rows = new LinkedHashMap<>();
    private final List<VoteRecord> votes = new ArrayList<>();
    final List<VoteRecord> refusals = new CopyOnWriteArrayList<>();
    private final Map<String, List<Delivery>> deliveries = new LinkedHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void create(ApprovalRequest request) {
        if (rows.putIfAbsent(request.id(), new StoredApproval(request, ApprovalState.PENDING, null, null, null)) != null) {
            throw new IllegalStateException("duplicate request id " + request.id());
        }
    }

    @Override
    public synchronized Optional<StoredApproval> find(String requestId) {
        return Optional.ofNullable(rows.get(requestId));
    }

    @Override
    public synchronized List<StoredApproval> pending() {
        return rows.values().stream().filter(s -> s.state() == ApprovalState.PENDING).toList();
    }

    @Override
    public Cast castVote(VoteRecord vote, int quorum) {
        Cast c;
        synchronized (this) {
            StoredApproval s = rows.get(vote.requestId());
            if (s == null) {
                throw new IllegalArgumentException("requestId: " + vote.requestId() + " (expected: an existing request)");
            }
            List<VoteRecord> mine = new ArrayList<>(votes(vote.requestId()));
            if (s.state() != ApprovalState.PENDING) {
                return new Cast(Cast.Status.NOT_PENDING, s.state(), s.decidedBy(), s.reason(), s.decidedAt(), mine);
            }
            if (!s.request().expiresAt().isAfter(vote.at())) {
                return new Cast(Cast.Status.PAST_DEADLINE, s.state(), null, null, null, mine);
            }
            if (mine.stream().anyMatch(v -> v.voterSubject().equals(vote.voterSubject()))) {
                return new Cast(Cast.Status.ALREADY_VOTED, s.state(), null, null, null, mine);
            }
            votes.add(vote);
            mine.add(vote);
            long approvers = mine.stream().filter(v -> v.vote() == Vote.APPROVE).map(VoteRecord::voterSubject).distinct().count();
            ApprovalState to = vote.vote() == Vote.DENY ? ApprovalState.DENIED
                    : approvers >= quorum ? ApprovalState.APPROVED : ApprovalState.PENDING;
            if (to == ApprovalState.PENDING) {
                return new Cast(Cast.Status.RECORDED, to, null, null, null, mine);
            }
            String reason = to == ApprovalState.DENIED ? vote.reason() : null;
            rows.put(vote.requestId(), new StoredApproval(s.request(), to, vote.voterSubject(), reason, vote.at()));
            c = new Cast(Cast.Status.DECIDED, to, vote.voterSubject(), reason, vote.at(), mine);
        }
        listeners.forEach(l -> l.accept(vote.requestId()));
        return c;
    }

    final List<RejectedDelivery> rejected = new CopyOnWriteArrayList<>();

    @Override
    public void recordRejectedDelivery(RejectedDelivery r) {
        rejected.add(r);
    }

    @Override
    public synchronized List<VoteRecord> votes(String requestId) {
        return votes.stream().filter(v -> v.requestId().equals(requestId)).toList();
    }

    @Override
    public void recordRefusal(VoteRecord refused) {
        refusals.add(refused);
    }

    @Override
    public boolean compareAndSet(String requestId, ApprovalState to, String decidedBy, String channel, String reason, Instant at) {
        synchronized (this) {
            StoredApproval s = rows.get(requestId);
            if (s == null || s.state() != ApprovalState.PENDING) {
                return false;
            }
            rows.put(requestId, new StoredApproval(s.request(), to, decidedBy, reason, at));
        }
        listeners.forEach(l -> l.accept(requestId));
        return true;
    }

    @Override
    public synchronized Optional<StoredApproval> findGrant(String actionDigest, String requesterKey, String connection,
                                                           String policyVersion, Instant since) {
        return rows.values().stream()
                .filter(s -> s.state() == ApprovalState.APPROVED && s.request().actionDigest().equals(actionDigest)
                        && s.request().requesterKey().equals(requesterKey) && s.request().connection().equals(connection)
                        && s.request().policyVersion().equals(policyVersion)
                        && !s.decidedAt().isBefore(since))
                .max(Comparator.comparing(StoredApproval::decidedAt));
    }

    @Override
    public synchronized ApprovalState addDelivery(String requestId, String channel, String ref) {
        deliveries.computeIfAbsent(requestId, k -> new ArrayList<>()).add(new Delivery(channel, ref));
        return rows.get(requestId).state();
    }

    @Override
    public synchronized List<Delivery> deliveries(String requestId) {
        return List.copyOf(deliveries.getOrDefault(requestId, List.of()));
    }

    @Override
    public AutoCloseable subscribe(Consumer<String> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
