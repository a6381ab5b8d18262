package dev.airlock.audit;

import java.util.Locale;

/** How an action touches a {@link DataObject}. */
public enum Access {
    READ,
    WRITE,
    /** Data leaves in bulk: COPY … TO, a downloaded file. */
    EXPORT;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
