package dev.airlock.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresFixtureTest {

    @Test
    void handsOutDistinctEmptyDatabasesOnOneServer(TestDatabase a, TestDatabase b) throws Exception {
        assertThat(a.database()).isNotEqualTo(b.database());
        assertThat(a.port()).isEqualTo(b.port());
        try (Connection c = a.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x int)");
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(170000);
            }
        }
        try (Connection c = b.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 't'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
