package dev.airlock.audit;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the lineage store lives.
 *
 * @param jdbcUrl           {@code jdbc:postgresql://host:port/db}
 * @param user              login role
 * @param password          password, may be empty
 * @param poolSize          HikariCP maximum pool size
 * @param connectTimeout    how long to wait for a connection before treating the store as unreachable
 */
public record StoreConfig(String jdbcUrl, String user, String password, int poolSize, Duration connectTimeout) {
    public StoreConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        password = password == null ? "" : password;
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl: '" + jdbcUrl + "' (expected: jdbc:postgresql:…)");
        }
        if (poolSize <= 0) {
            throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: > 0)");
        }
        if (connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: >= 250ms)");
        }
    }

    /**
     * Defaults: 5 connections (the writer's two lanes, the approvals LISTEN and Airlock's replica lock keep one each
     * while busy or for good; the rest serve approval and audit queries), 2 s to get one.
     */
    public static StoreConfig of(String jdbcUrl, String user, String password) {
        return new StoreConfig(jdbcUrl, user, password, 5, Duration.ofSeconds(2));
    }
}
