package dev.airlock.approvals;

import java.util.List;

/** Lets tests in sub-packages use the in-memory store helper. */
public final class InMemoryStoreAccess {

    private final InMemoryApprovalStore store = new InMemoryApprovalStore();

    public ApprovalStore store() {
        return store;
    }

    public List<RejectedDelivery> rejectedDeliveries() {
        return List.copyOf(store.rejected);
    }

    public List<VoteRecord> refusals() {
        return List.copyOf(store.refusals);
    }
}
