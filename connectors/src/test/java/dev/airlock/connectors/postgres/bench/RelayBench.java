package dev.airlock.connectors.postgres.bench;

import dev.airlock.config.Protocol;
import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.postgres.PostgresPipelineConfigurator;
import dev.airlock.connectors.spi.AdmissionListener;
import dev.airlock.connectors.spi.ClientInfo;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Credential;
import dev.airlock.connectors.spi.Gate;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Session;
import dev.airlock.connectors.spi.UpstreamTarget;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Identity;
import dev.airlock.testing.PostgresFixture;
import dev.airlock.testing.TestDatabase;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Round trips of a prepared {@code SELECT $1} through pgjdbc, directly and through the relay with a gate
 * that allows at once (the connector's own cost, without analysis or lineage), alternating, 1 and 8
 * connections. Run: see BENCHMARKS.md.
 */
public class RelayBench {

    private static final int WARMUP = 5_000;
    private static final int ITERATIONS = 20_000;

    @Test
    void run() throws Exception {
        main(new String[0]);
    }

    public static void main(String[] args) throws Exception {
        // The testing module's LeakDetectionExtension (auto-detected for every test class) forces PARANOID
        // whatever -Dio.netty.leakDetection.level says; paranoid records a stack trace on every touch of
        // every buffer, which is what the first published figures measured. Turn it off for the run.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        System.out.println("RelayBench leak detection: " + ResourceLeakDetector.getLevel());
        TestDatabase db = PostgresFixture.get().newDatabase();
        UpstreamTarget target = new UpstreamTarget(db.host(), db.port(), db.database(), db.user(), null, UpstreamTarget.TlsMode.DISABLE);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new PostgresPipelineConfigurator(PostgresListenerConfig.defaults(null, true), new AllowAll(target)))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        String direct = db.jdbcUrl();
        String proxied = "jdbc:postgresql://127.0.0.1:" + port + "/bench";
        try {
            for (int threads : new int[] {1, 8}) {
                double[] d = new double[2];
                double[] p = new double[2];
                for (int round = 0; round < 2; round++) { // alternate; the second round is reported
                    d = measure(direct, db.user(), "", threads);
                    p = measure(proxied, "agent", "token", threads);
                }
                System.out.printf("RelayBench threads=%d direct: %.0f q/s, %.1f us/q | airlock: %.0f q/s, %.1f us/q | ratio %.2f, added %.1f us%n",
                        threads, d[0], d[1], p[0], p[1], p[0] / d[0], p[1] - d[1]);
            }
        } finally {
            server.close().sync();
            group.shutdownGracefully().sync();
        }
    }

    /** Returns {queries per second, mean microseconds per query}. */
    private static double[] measure(String url, String user, String password, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> loop(url, user, password)));
            }
            long busy = 0;
            for (Future<Long> f : futures) {
                busy += f.get();
            }
            long wall = System.nanoTime() - t0;
            long total = (long) ITERATIONS * threads;
            return new double[] {total * 1e9 / wall, busy / 1e3 / total};
        } finally {
            pool.shutdown();
        }
    }

    private static long loop(String url, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", "disable");
        try (Connection c = DriverManager.getConnection(url, props);
             PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
            for (int i = 0; i < WARMUP; i++) {
                once(ps, i);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < ITERATIONS; i++) {
                once(ps, i);
            }
            return System.nanoTime() - t0;
        }
    }

    private static void once(PreparedStatement ps, int i) throws SQLException {
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private record BenchSession(UpstreamTarget upstream) implements Session {
        @Override
        public String id() {
            return "bench";
        }

        @Override
        public Identity identity() {
            return Identity.of("bench", "agent", Set.of());
        }

        @Override
        public ConnectionRef connection() {
            return new ConnectionRef("bench", Protocol.POSTGRES, Map.of());
        }
    }

    private static final class AllowAll implements Gate {
        private static final CompletableFuture<Verdict> ALLOW = CompletableFuture.completedFuture(Verdict.ALLOW);
        private final UpstreamTarget target;

        AllowAll(UpstreamTarget target) {
            this.target = target;
        }

        @Override
        public CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client) {
            return CompletableFuture.completedFuture(new BenchSession(target));
        }

        @Override
        public CompletionStage<Verdict> admit(Session session, Command command, AdmissionListener listener) {
            return ALLOW;
        }

        @Override
        public void report(Session session, Command command, Outcome outcome) {
        }

        @Override
        public void sessionClosed(Session session, String reason) {
        }
    }
}
