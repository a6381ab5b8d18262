package dev.airlock.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.airlock.connectors.postgres.message.AuthenticationCleartextPassword;
import dev.airlock.connectors.postgres.message.BackendMessage;
import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.GSSENCRequest;
import dev.airlock.connectors.postgres.message.PasswordMessage;
import dev.airlock.connectors.postgres.message.SSLRequest;
import dev.airlock.connectors.postgres.message.StartupMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent-side handshake on an EmbeddedChannel (its remote address is not loopback). */
class PostgresPipelineConfiguratorTest {

    private final TestGate gate = new TestGate();

    private EmbeddedChannel channel(boolean allowPlaintext) {
        return new EmbeddedChannel(new PostgresPipelineConfigurator(
                PostgresListenerConfig.defaults(null, allowPlaintext).withStartupTimeout(Duration.ofSeconds(5)), gate));
    }

    private static ByteBuf startup(int version) {
        ByteBuf b = Unpooled.buffer();
        new StartupMessage(version, Map.of("user", "agent-1", "database", "orders")).encode(b);
        return b;
    }

    private static List<BackendMessage> backend(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        List<BackendMessage> out = new ArrayList<>();
        while (all.isReadable()) {
            int len = all.getInt(all.readerIndex() + 1);
            ByteBuf frame = all.readSlice(len + 1);
            out.add(BackendType.decode(frame));
        }
        all.release();
        return out;
    }

    @Test
    void answersNoToSslWithoutACertificateAndToGssEncryption() {
        EmbeddedChannel ch = channel(false);
        ByteBuf b = Unpooled.buffer();
        SSLRequest.INSTANCE.encode(b);
        ch.writeInbound(b);
        ByteBuf answer = ch.readOutbound();
        assertThat(answer.readByte()).isEqualTo((byte) 'N');
        answer.release();
        ByteBuf g = Unpooled.buffer();
        GSSENCRequest.INSTANCE.encode(g);
        ch.writeInbound(g);
        answer = ch.readOutbound();
        assertThat(answer.readByte()).isEqualTo((byte) 'N');
        answer.release();
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    void refusesPlaintextWhenTlsIsRequired() {
        EmbeddedChannel ch = channel(true); // allowed on loopback only, and an EmbeddedChannel is not loopback
        ch.writeInbound(startup(StartupMessage.PROTOCOL_3_0));
        List<BackendMessage> out = backend(ch);
        assertThat(out).singleElement().isInstanceOfSatisfying(ErrorResponse.class, e -> {
            assertThat(e.sqlState()).isEqualTo("28000");
            assertThat(e.fields()).containsEntry('S', "FATAL");
        });
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void refusesOtherProtocolVersions() {
        EmbeddedChannel ch = channel(true);
        ch.writeInbound(startup(2 << 16));
        assertThat(backend(ch)).singleElement().isInstanceOfSatisfying(ErrorResponse.class,
                e -> assertThat(e.sqlState()).isEqualTo("0A000"));
        assertFalse(ch.finish());
    }

    @Test
    void refusesGarbageStartup() {
        EmbeddedChannel ch = channel(true);
        ch.writeInbound(Unpooled.buffer().writeInt(2));
        assertThat(backend(ch)).singleElement().isInstanceOfSatisfying(ErrorResponse.class,
                e -> assertThat(e.sqlState()).isEqualTo("08P01"));
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void timesOutASlowHandshake() {
        EmbeddedChannel ch = channel(true);
        ch.freezeTime();
        ch.writeInbound(Unpooled.buffer().writeInt(100)); // half a startup packet, then nothing
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(backend(ch)).singleElement().isInstanceOfSatisfying(ErrorResponse.class,
                e -> assertThat(e.sqlState()).isEqualTo("08006"));
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void asksForTheTokenAndRejectsAnEmptyOne() {
        PostgresListenerConfig config = PostgresListenerConfig.defaults(null, true);
        EmbeddedChannel ch = new EmbeddedChannel(new PostgresPipelineConfigurator(config, gate)) {
            @Override
            protected java.net.SocketAddress remoteAddress0() {
                return new java.net.InetSocketAddress("127.0.0.1", 5000);
            }
        };
        ch.writeInbound(startup(StartupMessage.PROTOCOL_3_0));
        assertThat(backend(ch)).containsExactly(AuthenticationCleartextPassword.INSTANCE);
        ByteBuf p = Unpooled.buffer();
        PasswordMessage.password("").encode(p);
        ch.writeInbound(p);
        assertThat(backend(ch)).singleElement().isInstanceOfSatisfying(ErrorResponse.class,
                e -> assertThat(e.sqlState()).isEqualTo("28P01"));
        assertFalse(ch.finish());
    }
}
