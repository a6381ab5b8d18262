package dev.airlock.policy;

import dev.airlock.config.Protocol;
import java.util.Map;
import java.util.Objects;

/** The connection an action goes to, as policy sees it: name, protocol and labels from {@code airlock.yaml}. */
public record ConnectionRef(String name, Protocol protocol, Map<String, String> labels) {
    public ConnectionRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        labels = Map.copyOf(labels);
    }
}
