package dev.airlock.connectors.postgres;

import dev.airlock.connectors.postgres.internal.CancelRegistry;
import dev.airlock.connectors.postgres.internal.ClientHandshakeHandler;
import dev.airlock.connectors.postgres.internal.StartupPacketDecoder;
import dev.airlock.connectors.postgres.internal.UpstreamPools;
import dev.airlock.connectors.spi.Gate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import java.util.Objects;

/**
 * Assembles the pipeline of every agent connection accepted by one PostgreSQL listener. Use as the
 * {@code childHandler} of a {@code ServerBootstrap}; reading is turned off and driven by the handlers.
 */
public final class PostgresPipelineConfigurator extends ChannelInitializer<Channel> implements AutoCloseable {

    /** Pipeline name of the TLS handler once the client asked for it. */
    public static final String TLS = "pg-tls";
    public static final String STARTUP_DECODER = "pg-startup-decoder";
    public static final String FRAME_DECODER = "pg-frame-decoder";
    public static final String HANDSHAKE = "pg-handshake";
    public static final String IDLE = "pg-idle";
    public static final String RELAY = "pg-relay";

    private final PostgresListenerConfig config;
    private final Gate gate;
    private final CancelRegistry cancels = new CancelRegistry();
    private final UpstreamPools pools = new UpstreamPools();

    public PostgresPipelineConfigurator(PostgresListenerConfig config, Gate gate) {
        this.config = Objects.requireNonNull(config, "config");
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()));
        ch.pipeline()
                .addLast(STARTUP_DECODER, new StartupPacketDecoder())
                .addLast(HANDSHAKE, new ClientHandshakeHandler(config, gate, cancels, pools));
    }

    /** Number of sessions currently past their handshake (with a registered cancel key). */
    public int activeSessions() {
        return cancels.size();
    }

    /**
     * Graceful shutdown, step one (after the listener stopped accepting): idle sessions get FATAL 57P01 and are
     * closed, busy ones when their transaction ends. A session waiting for approval stays until the approval is
     * decided or cancelled.
     */
    public void shutdown() {
        cancels.shutdown();
    }

    /** Closes the idle pooled upstream connections. */
    @Override
    public void close() {
        pools.close();
    }
}
