package dev.airlock.connectors.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.airlock.connectors.postgres.message.FrontendType;
import dev.airlock.connectors.postgres.message.Parse;
import dev.airlock.connectors.postgres.message.Query;
import dev.airlock.connectors.postgres.message.Sync;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgFrameDecoderTest {

    private static ByteBuf batch() {
        ByteBuf in = Unpooled.buffer();
        new Parse("", "SELECT $1", new int[] {23}).encode(in);
        new Query("SELECT 1").encode(in);
        Sync.INSTANCE.encode(in);
        return in;
    }

    private static List<Object> decodeAll(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        ByteBuf f;
        while ((f = ch.readInbound()) != null) {
            try {
                out.add(FrontendType.decode(f));
            } catch (RuntimeException e) {
                throw new AssertionError(ByteBufUtil.prettyHexDump(f), e);
            } finally {
                f.release();
            }
        }
        return out;
    }

    @Test
    void cutsFramesFedOneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(1024));
        ByteBuf in = batch();
        while (in.isReadable()) {
            ch.writeInbound(in.readRetainedSlice(1));
        }
        in.release();
        List<Object> out = decodeAll(ch);
        assertThat(out).hasSize(3);
        assertThat(((Parse) out.get(0)).parameterTypes()).containsExactly(23); // arrays: no record equality
        assertThat(out.subList(1, 3)).containsExactly(new Query("SELECT 1"), Sync.INSTANCE);
        assertFalse(ch.finish());
    }

    @Test
    void cutsFramesFromAwkwardSplits() {
        for (int split = 1; split < 30; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(1024));
            ByteBuf in = batch();
            ch.writeInbound(in.readRetainedSlice(Math.min(split, in.readableBytes())));
            ch.writeInbound(in.readRetainedSlice(in.readableBytes()));
            in.release();
            List<Object> out = decodeAll(ch);
            assertThat(out).hasSize(3);
            assertThat(((Parse) out.get(0)).sql()).isEqualTo("SELECT $1");
            assertFalse(ch.finish());
        }
    }

    @Test
    void rejectsOversizeFramesBeforeBufferingThem() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(1024));
        ByteBuf in = Unpooled.buffer().writeByte('Q').writeInt(1 << 30).writeBytes(new byte[10]);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(TooLongFrameException.class);
        assertFalse(ch.finish());
    }

    @Test
    void appliesALowerPhaseLimit() {
        PgFrameDecoder decoder = new PgFrameDecoder(1 << 20);
        decoder.limit(100);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ByteBuf in = Unpooled.buffer().writeByte('p').writeInt(500);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("expected: <= 100");
        assertFalse(ch.finish());
        assertThatThrownBy(() -> decoder.limit(2 << 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsLengthsBelowFour() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(1024));
        ByteBuf in = Unpooled.buffer().writeByte('Q').writeInt(2);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(CorruptedFrameException.class);
        assertFalse(ch.finish());
    }
}
