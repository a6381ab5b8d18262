package dev.airlock.audit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An embedded PostgreSQL (zonky) whose data directory persists across restarts: the demo default
 * ({@code lineage: {store: embedded}}). Listens on localhost only.
 */
public final class EmbeddedLineageStore implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private final LineageStore store;

    private EmbeddedLineageStore(EmbeddedPostgres pg, LineageStore store) {
        this.pg = pg;
        this.store = store;
    }

    /**
     * Starts (or restarts on existing data) the server and migrates the schema.
     *
     * @param port TCP port on localhost, or 0 for any free port
     */
    public static EmbeddedLineageStore start(Path dataDirectory, int port) throws IOException {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        Files.createDirectories(dataDirectory);
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost")
                // no JVM shutdown hook of its own: it would stop PostgreSQL while the writer still flushes; whoever
                // owns this store closes it last (AirlockServer's resources, in reverse order of opening)
                .setRegisterShutdownHook(false);
        if (port > 0) {
            b.setPort(port);
        }
        EmbeddedPostgres pg = b.start();
        try {
            LineageStore store = LineageStore.open(StoreConfig.of(jdbcUrl(pg.getPort()), "postgres", ""));
            return new EmbeddedLineageStore(pg, store);
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    private static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public String jdbcUrl() {
        return jdbcUrl(pg.getPort());
    }

    public int port() {
        return pg.getPort();
    }

    public LineageStore store() {
        return store;
    }

    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            pg.close();
        }
    }
}
