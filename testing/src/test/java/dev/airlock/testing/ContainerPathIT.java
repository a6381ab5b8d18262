package dev.airlock.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The Testcontainers path of {@link PostgresFixture}: runs against a container when a Docker engine
 * is present, and is reported as skipped (not failed) when there is none.
 */
class ContainerPathIT {

    @Test
    void runsAgainstAContainerOrSkipsWithoutDocker() throws Exception {
        PostgresFixture server = PostgresFixture.startTestcontainers("postgres:16-alpine");
        try {
            TestDatabase db = server.newDatabase();
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                assertThat(rs.getInt(1)).isBetween(160000, 169999);
            }
        } finally {
            server.stop();
        }
    }
}
