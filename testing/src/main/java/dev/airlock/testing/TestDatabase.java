package dev.airlock.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh, empty PostgreSQL database created for one test (or test class) by {@link PostgresFixture}.
 *
 * @param host     host name to connect to
 * @param port     TCP port of the server
 * @param database name of the database, unique within the test run
 * @param user     superuser name
 * @param password superuser password (empty for trust authentication)
 */
public record TestDatabase(String host, int port, String database, String user, String password) {

    public TestDatabase {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ':' + port + '/' + database;
    }

    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl() + ", user=" + user + "]";
    }
}
