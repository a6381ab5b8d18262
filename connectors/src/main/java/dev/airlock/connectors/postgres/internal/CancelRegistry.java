package dev.airlock.connectors.postgres.internal;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The key pairs Airlock handed to its clients (never the upstream's), mapped to their sessions so a
 * CancelRequest on a new connection reaches the right one.
 */
public final class CancelRegistry {

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentMap<Long, ProxyConnection> sessions = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    /** Issues a fresh key pair for {@code connection}; returns {@code [processId, secretKey]}. */
    int[] register(ProxyConnection connection) {
        while (true) {
            int pid = random.nextInt(Integer.MAX_VALUE - 1) + 1;
            int secret = random.nextInt();
            if (sessions.putIfAbsent(key(pid, secret), connection) == null) {
                return new int[] {pid, secret};
            }
        }
    }

    void unregister(int processId, int secretKey, ProxyConnection connection) {
        sessions.remove(key(processId, secretKey), connection);
    }

    /** The session holding this key pair, or {@code null}. */
    ProxyConnection find(int processId, int secretKey) {
        return sessions.get(key(processId, secretKey));
    }

    public int size() {
        return sessions.size();
    }

    /** Asks every session to end: idle ones now, busy ones when their transaction is over. */
    public void shutdown() {
        shuttingDown = true;
        sessions.values().forEach(ProxyConnection::shutdown);
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    private static long key(int pid, int secret) {
        return ((long) pid << 32) | (secret & 0xffffffffL);
    }
}
