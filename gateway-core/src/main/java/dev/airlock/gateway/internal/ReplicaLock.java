package dev.airlock.gateway.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Airlock process per replica id on a lineage store. The replica id names what a process owns there: its
 * pending approval requests (which it cancels when it stops or restarts), its approvals chain and its spool file. Two
 * processes with the same id would cancel each other's waiting approvals. So a process holds a PostgreSQL session
 * advisory lock on its id for as long as it runs (on a connection it keeps out of the pool; PostgreSQL frees it when
 * the process or its connection goes away), and refuses to start when another live process holds it.
 *
 * <p>The connection is checked every {@value #CHECK_SECONDS} s; when it was lost (the store restarted), the lock is
 * taken again, and if someone else took it meanwhile that is logged as an error.
 */
public final class ReplicaLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaLock.class);

    /** The first key of the advisory lock: "ARLK", so Airlock's locks stand apart from an application's own. */
    static final int LOCK_CLASS = 0x41524c4b;
    static final int CHECK_SECONDS = 30;

    private final DataSource ds;
    private final String replicaId;
    private final ScheduledExecutorService checker;
    private Connection held;

    private ReplicaLock(DataSource ds, String replicaId, Connection held) {
        this.ds = ds;
        this.replicaId = replicaId;
        this.held = held;
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-replica-lock");
            t.setDaemon(true);
            return t;
        });
        checker.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Takes the lock on {@code replicaId} in the store behind {@code ds}.
     *
     * @throws IllegalStateException another live process holds it (the message names its backend and client)
     */
    public static ReplicaLock acquire(DataSource ds, String replicaId) throws SQLException {
        Connection c = tryLock(ds, replicaId);
        if (c == null) {
            throw new IllegalStateException("replica id '" + replicaId + "' is in use by another Airlock process on this "
                    + "lineage store (" + holder(ds, replicaId) + "); give every replica its own --replica-id");
        }
        return new ReplicaLock(ds, replicaId, c);
    }

    /** A connection holding the lock, or {@code null} when someone else holds it. */
    private static Connection tryLock(DataSource ds, String replicaId) throws SQLException {
        Connection c = ds.getConnection();
        try {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
                ps.setInt(1, LOCK_CLASS);
                ps.setString(2, replicaId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return c;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    /** Who holds the lock, for the message: PostgreSQL backend, client address, since when. */
    private static String holder(DataSource ds, String replicaId) {
        String sql = "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? "
                + "AND l.objid::bigint = (hashtext(?)::bigint & 4294967295) AND l.objsubid = 2";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, LOCK_CLASS);
            ps.setString(2, replicaId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return "its connection: backend pid " + rs.getInt(1) + ", client " + rs.getString(2)
                            + ", since " + rs.getTimestamp(3).toInstant();
                }
            }
        } catch (SQLException e) {
            log.debug("could not tell who holds replica id {}", replicaId, e);
        }
        return "it holds the lock";
    }

    private synchronized void check() {
        try {
            if (held != null && held.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            // taken as lost
        }
        closeQuietly();
        try {
            held = tryLock(ds, replicaId);
            if (held == null) {
                log.error("replica id '{}' was taken by another Airlock process while this one's lock connection was "
                        + "lost ({}); the two will cancel each other's pending approvals: stop one, or give each its own "
                        + "--replica-id", replicaId, holder(ds, replicaId));
            } else {
                log.info("replica lock on '{}' taken again after its connection was lost", replicaId);
            }
        } catch (SQLException e) {
            log.warn("replica lock on '{}': lineage store unreachable ({}); trying again in {} s", replicaId,
                    e.getMessage(), CHECK_SECONDS);
        }
    }

    /** Unlocks (a pooled connection outlives its close) and hands the connection back. */
    private void closeQuietly() {
        if (held != null) {
            try (Connection c = held; PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
                ps.setInt(1, LOCK_CLASS);
                ps.setString(2, replicaId);
                ps.execute();
            } catch (SQLException e) {
                log.debug("releasing the replica lock (a lost connection has released it already)", e);
            }
            held = null;
        }
    }

    /** Gives the id up (closing the connection ends the lock). */
    @Override
    public synchronized void close() {
        checker.shutdownNow();
        closeQuietly();
    }
}
