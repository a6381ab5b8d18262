package dev.airlock.connectors.http.bench;

import dev.airlock.config.Protocol;
import dev.airlock.connectors.http.HttpListenerConfig;
import dev.airlock.connectors.http.HttpPipelineConfigurator;
import dev.airlock.connectors.http.HttpRoute;
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
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP connector alone, for {@code bench/http.sh}: one listener routing {@code /billing} to the upstream URL
 * given as the argument, with a gate that accepts any token and allows at once (no token verification, policy or
 * lineage), on as many event loops as {@code airlock run} uses. Prints {@code port N} and serves until killed.
 */
public final class HttpRelayBench {

    private HttpRelayBench() {
    }

    public static void main(String[] args) throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        URI upstream = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080/");
        Gate allow = new Gate() {
            @Override
            public CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client) {
                Identity id = Identity.of("bench", "agent-1", Set.of("agents"));
                ConnectionRef ref = new ConnectionRef(connection, Protocol.HTTP, Map.of());
                return CompletableFuture.completedFuture(new Session() {
                    public String id() {
                        return "bench";
                    }

                    public Identity identity() {
                        return id;
                    }

                    public ConnectionRef connection() {
                        return ref;
                    }

                    public UpstreamTarget upstream() {
                        throw new UnsupportedOperationException();
                    }
                });
            }

            @Override
            public CompletionStage<Verdict> admit(Session session, Command command, AdmissionListener listener) {
                return CompletableFuture.completedFuture(Verdict.ALLOW);
            }

            @Override
            public void report(Session session, Command command, Outcome outcome) {
            }

            @Override
            public void sessionClosed(Session session, String reason) {
            }
        };
        HttpPipelineConfigurator c = new HttpPipelineConfigurator(HttpListenerConfig.defaults(null,
                List.of(HttpRoute.of("billing", upstream).withPathPrefix("/billing")), null), allow);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true).childHandler(c)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        System.out.println("port " + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        server.closeFuture().sync();
    }
}
