package dev.airlock.audit;

import java.util.Objects;

/** One link from an action to a data object. */
public record ObjectAccess(DataObject object, Access access) {
    public ObjectAccess {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(access, "access");
    }
}
