package dev.airlock.connectors.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.airlock.connectors.postgres.message.CancelRequest;
import dev.airlock.connectors.postgres.message.SSLRequest;
import dev.airlock.connectors.postgres.message.StartupMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupPacketDecoderTest {

    @Test
    void decodesAStartupMessageFedOneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupPacketDecoder());
        ByteBuf in = Unpooled.buffer();
        new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "a", "database", "db")).encode(in);
        while (in.isReadable()) {
            ch.writeInbound(in.readRetainedSlice(1));
        }
        in.release();
        StartupMessage m = ch.readInbound();
        assertThat(m.parameters()).containsEntry("user", "a").containsEntry("database", "db");
        assertFalse(ch.finish());
    }

    @Test
    void decodesSslAndCancelRequests() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupPacketDecoder());
        ByteBuf in = Unpooled.buffer();
        SSLRequest.INSTANCE.encode(in);
        ch.writeInbound(in);
        assertThat((Object) ch.readInbound()).isSameAs(SSLRequest.INSTANCE);
        ByteBuf cancel = Unpooled.buffer();
        new CancelRequest(11, 22).encode(cancel);
        ch.writeInbound(cancel);
        assertThat((Object) ch.readInbound()).isEqualTo(new CancelRequest(11, 22));
        assertFalse(ch.finish());
    }

    @Test
    void refusesPlaintextPipelinedAfterSslRequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupPacketDecoder());
        ByteBuf in = Unpooled.buffer();
        SSLRequest.INSTANCE.encode(in);
        new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", "a")).encode(in);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("after SSLRequest");
        assertFalse(ch.finish());
    }

    @Test
    void rejectsBadLengths() {
        EmbeddedChannel big = new EmbeddedChannel(new StartupPacketDecoder());
        assertThatThrownBy(() -> big.writeInbound(Unpooled.buffer().writeInt(1_000_000).writeInt(0)))
                .isInstanceOf(TooLongFrameException.class);
        assertFalse(big.finish());
        EmbeddedChannel small = new EmbeddedChannel(new StartupPacketDecoder());
        assertThatThrownBy(() -> small.writeInbound(Unpooled.buffer().writeInt(3)))
                .isInstanceOf(CorruptedFrameException.class);
        assertFalse(small.finish());
    }

    @Test
    void rejectsGarbage() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupPacketDecoder());
        ByteBuf garbage = Unpooled.buffer().writeInt(12).writeInt(StartupMessage.PROTOCOL_3_0).writeBytes(new byte[] {'x', 'y', 'z', 'w'});
        assertThatThrownBy(() -> ch.writeInbound(garbage)).isInstanceOf(CorruptedFrameException.class);
        assertFalse(ch.finish());
    }
}
