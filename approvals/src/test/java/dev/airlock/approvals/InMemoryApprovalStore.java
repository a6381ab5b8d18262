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
    public synchronized boolean addVote(VoteRecord vote) {
        StoredApproval s = rows.get(vote.requestId());
        if (s == null || s.state() != ApprovalState.PENDING) {
            return false;
        }
        if (votes.stream().anyMatch(v -> v.requestId().equals(vote.requestId()) && v.voterSubject().equals(vote.voterSubject()))) {
            return false;
        }
        votes.add(vote);
        return true;
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
    public synchronized void addDelivery(String requestId, String channel, String ref) {
        deliveries.computeIfAbsent(requestId, k -> new ArrayList<>()).add(new Delivery(channel, ref));
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
