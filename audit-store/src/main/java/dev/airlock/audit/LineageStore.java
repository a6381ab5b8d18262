package dev.airlock.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import javax.sql.DataSource;
import java.util.Arrays;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The lineage store: a HikariCP pool on PostgreSQL with the {@code lineage} schema migrated by Flyway.
 * Hands out the writer, the approval persistence, the verifier and the auditor queries.
 */
public final class LineageStore implements AutoCloseable {

    private final HikariDataSource pool;

    private LineageStore(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Connects and migrates the schema; fails when PostgreSQL is unreachable. */
    public static LineageStore open(StoreConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setConnectionTimeout(config.connectTimeout().toMillis());
        hc.setValidationTimeout(Math.min(config.connectTimeout().toMillis(), 1000));
        hc.setInitializationFailTimeout(-1);
        hc.setPoolName("lineage");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            migrate(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new LineageStore(ds);
    }

    /**
     * Applies the {@code lineage} migrations to a database. V1–V19 (lineage) and V20+ (approvals) grow side by
     * side, so a store may lack a version lower than its newest one (a store at V21 without V4, one at V20 without
     * V10): only then does Flyway run out of order, applying what is missing in version order. Migrations of
     * either range must therefore hold in any order of the other's (V22 needs V4 and V21, and is above both).
     */
    public static void migrate(DataSource ds) {
        FluentConfiguration config = Flyway.configure()
                .dataSource(ds)
                .schemas("lineage")
                .createSchemas(true)
                .table("flyway_lineage_history")
                .locations("classpath:db/migration");
        Flyway flyway = config.load();
        boolean behind = Arrays.stream(flyway.info().all()).anyMatch(m -> m.getState() == MigrationState.IGNORED);
        (behind ? config.outOfOrder(true).load() : flyway).migrate();
    }

    public DataSource dataSource() {
        return pool;
    }

    public LineageWriter startWriter(WriterConfig config) throws IOException {
        return LineageWriter.start(pool, config);
    }

    public ApprovalStore approvals(String chain) {
        return new ApprovalStore(pool, chain);
    }

    public ChainVerifier.Report verify() {
        return ChainVerifier.verify(pool);
    }

    public AuditQueries queries() {
        return new AuditQueries(pool);
    }

    @Override
    public void close() {
        pool.close();
    }
}
