package dev.airlock.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** Polling helpers for state that arrives asynchronously, such as lineage records committed in batches. */
public final class Await {

    private Await() {}

    /** The probe's first present value, polled every 50 ms; fails after 20 s. */
    public static <T> T await(Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(50);
        }
    }

    /** The first row of {@code sql} as strings, waiting until the query returns one. */
    public static List<String> awaitRow(DataSource db, String sql) throws InterruptedException {
        return await(() -> firstRow(db, sql));
    }

    /** The first row of {@code sql} as strings, if there is one. */
    public static Optional<List<String>> firstRow(DataSource db, String sql) {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            if (!rs.next()) {
                return Optional.empty();
            }
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return Optional.of(out);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
