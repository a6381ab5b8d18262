package dev.airlock.connectors.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A command is held until humans decide.
 *
 * @param requestId the approval request id
 * @param channels  where approvers were asked (e.g. {@code slack:#db-approvals}, {@code web})
 * @param expiresAt when the request times out
 */
public record AwaitingApproval(String requestId, List<String> channels, Instant expiresAt) {
    public AwaitingApproval {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        channels = List.copyOf(channels);
    }
}
