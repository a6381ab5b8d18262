package dev.airlock.connectors.postgres.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static ByteBuf encode(FrontendMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.encode(buf);
        return buf;
    }

    private static ByteBuf encode(BackendMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.encode(buf);
        return buf;
    }

    private static FrontendMessage roundTrip(FrontendMessage m) {
        ByteBuf buf = encode(m);
        try {
            assertThat(buf.getInt(1)).as(ByteBufUtil.prettyHexDump(buf)).isEqualTo(buf.readableBytes() - 1);
            return FrontendType.decode(buf);
        } finally {
            buf.release();
        }
    }

    private static BackendMessage roundTrip(BackendMessage m) {
        ByteBuf buf = encode(m);
        try {
            assertThat(buf.getInt(1)).as(ByteBufUtil.prettyHexDump(buf)).isEqualTo(buf.readableBytes() - 1);
            return BackendType.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void roundTripsSimpleFrontendMessages() {
        assertThat(roundTrip(new Query("SELECT 'é';"))).isEqualTo(new Query("SELECT 'é';"));
        assertThat(roundTrip(new Describe('P', "p1"))).isEqualTo(new Describe('P', "p1"));
        assertThat(roundTrip(new Close('S', "s1"))).isEqualTo(new Close('S', "s1"));
        assertThat(roundTrip(new Execute("", 50))).isEqualTo(new Execute("", 50));
        assertThat(roundTrip(new CopyFail("oops"))).isEqualTo(new CopyFail("oops"));
        assertThat(roundTrip(Sync.INSTANCE)).isSameAs(Sync.INSTANCE);
        assertThat(roundTrip(Flush.INSTANCE)).isSameAs(Flush.INSTANCE);
        assertThat(roundTrip(CopyDone.INSTANCE)).isSameAs(CopyDone.INSTANCE);
        assertThat(roundTrip(Terminate.INSTANCE)).isSameAs(Terminate.INSTANCE);
        assertThat(((CopyData) roundTrip(new CopyData(new byte[] {1, 2, 3}))).data()).containsExactly(1, 2, 3);
        assertThat(((PasswordMessage) roundTrip(PasswordMessage.password("tok"))).asPassword()).isEqualTo("tok");
    }

    @Test
    void roundTripsParseBindAndFunctionCall() {
        Parse p = (Parse) roundTrip(new Parse("s1", "SELECT $1::int", new int[] {23}));
        assertThat(p.name()).isEqualTo("s1");
        assertThat(p.sql()).isEqualTo("SELECT $1::int");
        assertThat(p.parameterTypes()).containsExactly(23);

        Bind b = (Bind) roundTrip(new Bind("p", "s1", new short[] {0, 1}, Arrays.asList("x".getBytes(), null, new byte[] {9}),
                new short[] {1}));
        assertThat(b.portal()).isEqualTo("p");
        assertThat(b.parameters()).hasSize(3);
        assertThat(b.parameters().get(1)).isNull();
        assertThat(b.isBinary(0)).isFalse();
        assertThat(b.isBinary(1)).isTrue();
        assertThat(b.resultFormats()).containsExactly((short) 1);

        FunctionCall f = (FunctionCall) roundTrip(new FunctionCall(1234, new short[] {1}, List.of(new byte[] {0, 0, 0, 7}), (short) 1));
        assertThat(f.functionOid()).isEqualTo(1234);
        assertThat(f.arguments().get(0)).containsExactly(0, 0, 0, 7);
    }

    @Test
    void roundTripsBackendMessages() {
        assertThat(roundTrip(new ReadyForQuery(TransactionStatus.FAILED))).isEqualTo(new ReadyForQuery(TransactionStatus.FAILED));
        assertThat(roundTrip(new ParameterStatus("TimeZone", "UTC"))).isEqualTo(new ParameterStatus("TimeZone", "UTC"));
        assertThat(roundTrip(new BackendKeyData(7, -3))).isEqualTo(new BackendKeyData(7, -3));
        assertThat(roundTrip(new NotificationResponse(9, "ch", "hi"))).isEqualTo(new NotificationResponse(9, "ch", "hi"));
        assertThat(roundTrip(new NegotiateProtocolVersion(0, List.of("_pq_.x")))).isEqualTo(new NegotiateProtocolVersion(0, List.of("_pq_.x")));
        assertThat(roundTrip(AuthenticationOk.INSTANCE)).isEqualTo(AuthenticationOk.INSTANCE);
        assertThat(roundTrip(AuthenticationCleartextPassword.INSTANCE)).isEqualTo(AuthenticationCleartextPassword.INSTANCE);
        assertThat(((AuthenticationMD5Password) roundTrip(new AuthenticationMD5Password(new byte[] {1, 2, 3, 4}))).salt())
                .containsExactly(1, 2, 3, 4);
        assertThat(roundTrip(new AuthenticationSASL(List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"))))
                .isEqualTo(new AuthenticationSASL(List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS")));
        assertThat(((AuthenticationSASLContinue) roundTrip(new AuthenticationSASLContinue("r=abc".getBytes()))).data())
                .isEqualTo("r=abc".getBytes());

        ErrorResponse e = (ErrorResponse) roundTrip(ErrorResponse.error("42501", "denied", "rule: r1", "ask"));
        assertThat(e.sqlState()).isEqualTo("42501");
        assertThat(e.message()).isEqualTo("denied");
        assertThat(e.fields()).containsEntry('D', "rule: r1").containsEntry('H', "ask").containsEntry('S', "ERROR");
        assertThat(((NoticeResponse) roundTrip(NoticeResponse.notice("wait", null, null))).message()).isEqualTo("wait");
    }

    @Test
    void readsRowCountsFromCommandTags() {
        assertThat(new CommandComplete("INSERT 0 3").rows()).isEqualTo(3);
        assertThat(new CommandComplete("SELECT 200000").rows()).isEqualTo(200_000);
        assertThat(new CommandComplete("BEGIN").rows()).isEqualTo(-1);
        assertThat(((CommandComplete) roundTrip(new CommandComplete("COPY 5"))).tag()).isEqualTo("COPY 5");
    }

    @Test
    void rejectsUnknownTypesAndMalformedBodies() {
        ByteBuf unknown = Unpooled.wrappedBuffer(new byte[] {'!', 0, 0, 0, 4});
        assertThatThrownBy(() -> FrontendType.decode(unknown)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("0x21");
        assertThatThrownBy(() -> BackendType.decode(unknown)).isInstanceOf(CorruptedFrameException.class);
        unknown.release();

        ByteBuf noNul = Unpooled.wrappedBuffer(new byte[] {'Q', 0, 0, 0, 6, 'a', 'b'});
        assertThatThrownBy(() -> FrontendType.decode(noNul)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("NUL");
        noNul.release();

        ByteBuf truncatedExecute = Unpooled.wrappedBuffer(new byte[] {'E', 0, 0, 0, 6, 0, 1});
        assertThatThrownBy(() -> FrontendType.decode(truncatedExecute)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("truncated");
        truncatedExecute.release();

        ByteBuf trailing = Unpooled.wrappedBuffer(new byte[] {'S', 0, 0, 0, 5, 9});
        assertThatThrownBy(() -> FrontendType.decode(trailing)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("trailing");
        trailing.release();

        ByteBuf hugeCount = Unpooled.wrappedBuffer(new byte[] {'P', 0, 0, 0, 8, 0, 0, (byte) 0xff, (byte) 0xff});
        assertThatThrownBy(() -> FrontendType.decode(hugeCount)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("count");
        hugeCount.release();

        ByteBuf badDescribe = Unpooled.wrappedBuffer(new byte[] {'D', 0, 0, 0, 6, 'X', 0});
        assertThatThrownBy(() -> FrontendType.decode(badDescribe)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("expected: 'S' or 'P'");
        badDescribe.release();
    }

    @Test
    void decodesStartupPackets() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "agent-1");
        params.put("database", "orders");
        ByteBuf buf = Unpooled.buffer();
        new StartupMessage(StartupMessage.PROTOCOL_3_0, params).encode(buf);
        StartupMessage s = (StartupMessage) StartupPacket.decode(buf);
        assertThat(s.majorVersion()).isEqualTo(3);
        assertThat(s.minorVersion()).isZero();
        assertThat(s.parameters()).containsExactly(Map.entry("user", "agent-1"), Map.entry("database", "orders"));
        buf.clear();
        new CancelRequest(5, 6).encode(buf);
        assertThat(StartupPacket.decode(buf)).isEqualTo(new CancelRequest(5, 6));
        buf.clear();
        SSLRequest.INSTANCE.encode(buf);
        assertThat(StartupPacket.decode(buf)).isSameAs(SSLRequest.INSTANCE);
        buf.clear();
        buf.writeInt(12).writeInt(CancelRequest.CODE).writeInt(1);
        assertThatThrownBy(() -> StartupPacket.decode(buf)).isInstanceOf(CorruptedFrameException.class);
        buf.clear();
        buf.writeInt(13).writeInt(StartupMessage.PROTOCOL_3_0).writeBytes(new byte[] {'u', 0, 'x'});
        assertThatThrownBy(() -> StartupPacket.decode(buf)).isInstanceOf(CorruptedFrameException.class);
        buf.release();
    }

    @Test
    void neverPrintsSecrets() {
        assertThat(PasswordMessage.password("secret-token").toString()).doesNotContain("secret");
        assertThat(new CancelRequest(1, 424242).toString()).doesNotContain("424242");
    }
}
