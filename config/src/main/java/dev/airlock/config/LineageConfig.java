package dev.airlock.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Where the lineage store lives: an embedded PostgreSQL (development) or an external one over JDBC. */
public sealed interface LineageConfig permits LineageConfig.Embedded, LineageConfig.Jdbc {

    /** Local directory where writes are spooled while the store is unreachable. */
    Path spoolDir();

    /** OpenLineage export of executed actions, if configured. */
    Optional<OpenLineageConfig> openLineage();

    /**
     * An embedded PostgreSQL that Airlock starts itself.
     *
     * @param dataDir     the database directory
     * @param spoolDir    the spool directory
     * @param openLineage OpenLineage export, if configured
     */
    record Embedded(Path dataDir, Path spoolDir, Optional<OpenLineageConfig> openLineage) implements LineageConfig {
        public Embedded {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(spoolDir, "spoolDir");
            Objects.requireNonNull(openLineage, "openLineage");
        }

        public Embedded(Path dataDir, Path spoolDir) {
            this(dataDir, spoolDir, Optional.empty());
        }
    }

    /**
     * An external PostgreSQL.
     *
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/db} (no password in it)
     * @param user     the database user
     * @param password the password, if any
     * @param spoolDir the spool directory
     * @param openLineage OpenLineage export, if configured
     */
    record Jdbc(String jdbcUrl, String user, Optional<Secret> password, Path spoolDir,
                Optional<OpenLineageConfig> openLineage) implements LineageConfig {
        public Jdbc {
            Checks.nonBlank(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl: " + jdbcUrl + " (expected: jdbc:postgresql:…)");
            }
            Checks.nonBlank(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(spoolDir, "spoolDir");
            Objects.requireNonNull(openLineage, "openLineage");
        }

        public Jdbc(String jdbcUrl, String user, Optional<Secret> password, Path spoolDir) {
            this(jdbcUrl, user, password, spoolDir, Optional.empty());
        }
    }
}
