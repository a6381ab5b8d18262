package dev.airlock.audit;

import dev.airlock.audit.internal.OpenLineageEvents;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.transports.ConsoleTransport;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes executed actions that touched data objects as OpenLineage {@code RunEvent}s, from the
 * {@code lineage.openlineage_outbox} table, on its own thread: traffic never waits for it. An event
 * that fails to send stays in the outbox and is retried on the next poll.
 */
public final class OpenLineageExporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenLineageExporter.class);

    private final DataSource ds;
    private final ExportConfig config;
    private final Transport transport;
    private final OpenLineageEvents events;
    private ScheduledExecutorService scheduler;

    public OpenLineageExporter(DataSource ds, ExportConfig config) {
        this.ds = Objects.requireNonNull(ds, "ds");
        this.config = Objects.requireNonNull(config, "config");
        this.transport = switch (config.transport()) {
            case HTTP -> {
                HttpConfig hc = new HttpConfig();
                hc.setUrl(config.url());
                hc.setTimeoutInMillis(5_000);
                yield new HttpTransport(hc);
            }
            case FILE -> new FileTransport(new FileConfig(config.file().toString()));
            case CONSOLE -> new ConsoleTransport();
        };
        this.events = new OpenLineageEvents(config.namespace());
    }

    /** Polls the outbox every {@link ExportConfig#interval()} on a daemon thread. */
    public synchronized OpenLineageExporter start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "openlineage-exporter");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::pollQuietly, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void pollQuietly() {
        try {
            exportPending();
        } catch (RuntimeException e) {
            log.warn("OpenLineage export failed; will retry: {}", e.getMessage());
        }
    }

    /**
     * Sends up to one batch of undelivered events, oldest first.
     *
     * @return how many were delivered
     */
    public int exportPending() {
        int delivered = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            List<UUID> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT action_id FROM lineage.openlineage_outbox "
                    + "WHERE delivered_at IS NULL ORDER BY at LIMIT ? FOR UPDATE SKIP LOCKED")) {
                ps.setInt(1, config.batchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            for (UUID id : ids) {
                String error = null;
                try {
                    OpenLineage.RunEvent ev = events.build(c, id);
                    if (ev != null) {
                        transport.emit(ev);
                    }
                } catch (RuntimeException e) {
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                try (PreparedStatement ps = c.prepareStatement(error == null
                        ? "UPDATE lineage.openlineage_outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE action_id = ?"
                        : "UPDATE lineage.openlineage_outbox SET attempts = attempts + 1, last_error = ? WHERE action_id = ?")) {
                    int i = 1;
                    if (error != null) {
                        ps.setString(i++, error);
                    }
                    ps.setObject(i, id);
                    ps.executeUpdate();
                }
                if (error != null) {
                    log.warn("OpenLineage event for action {} not delivered: {}", id, error);
                    break; // keep order: try again from here on the next poll
                }
                delivered++;
            }
            c.commit();
        } catch (SQLException e) {
            throw new LineageException("OpenLineage outbox: " + e.getMessage(), e);
        }
        return delivered;
    }

    @Override
    public synchronized void close() throws Exception {
        if (scheduler != null) {
            scheduler.shutdown();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }
        transport.close();
    }
}
