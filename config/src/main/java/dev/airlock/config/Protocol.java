package dev.airlock.config;

import java.util.Locale;

/** The wire protocols Airlock speaks to agents and upstreams. */
public enum Protocol {
    POSTGRES,
    MYSQL,
    SSH,
    HTTP;

    /** The lower-case name used in YAML ({@code postgres}, {@code mysql}, {@code ssh}, {@code http}). */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
