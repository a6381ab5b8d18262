package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Records;
import dev.airlock.audit.internal.Sink;
import dev.airlock.audit.internal.Table;
import dev.airlock.config.Protocol;
import dev.airlock.policy.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The canonical content (what a record's hash covers) and the spool form of each record kind. */
class RecordsTest {

    private static String canonical(Envelope e, String chain, long seq) {
        Sink s = new Sink(64);
        Records.canonical(s, e, chain, seq);
        return new String(s.toByteArray(), StandardCharsets.UTF_8);
    }

    private static List<Envelope> everyKind() {
        List<Envelope> out = new ArrayList<>();
        Samples.story().events().forEach(e -> out.add(EventCodec.encode(e)));
        out.add(EventCodec.encode(ActionRecorded.of(UUID.randomUUID(), UUID.randomUUID(), Samples.scp())));
        out.add(EventCodec.encode(ActionRecorded.of(UUID.randomUUID(), UUID.randomUUID(), Samples.post())));
        out.add(EventCodec.approvalRequest(ApprovalStoreIT.request(UUID.randomUUID()), UUID.randomUUID(), Instant.now()));
        out.add(EventCodec.approvalVote(new ApprovalVote(UUID.randomUUID(), UUID.randomUUID(), "bob",
                ApprovalVote.Choice.DENY, "slack", "no", Instant.now()), UUID.randomUUID()));
        out.add(EventCodec.approvalState(UUID.randomUUID(), Instant.now(), UUID.randomUUID(), "pending", "denied", "bob",
                "slack", null));
        out.add(EventCodec.approvalVote(new ApprovalVote(UUID.randomUUID(), UUID.randomUUID(), "carol",
                ApprovalVote.Choice.APPROVE, "web", null, Instant.now(), "carol@example.com"), UUID.randomUUID()));
        out.add(EventCodec.approvalRefusal(17, UUID.randomUUID(), Instant.now(), UUID.randomUUID(), "agent-1", null, "slack",
                "approve", "self_approval"));
        out.add(EventCodec.rejectedInteraction(UUID.randomUUID(), Instant.now(), "slack-http", "bad signature", "not-a-uuid",
                "U123", "127.0.0.1:5000", "ab".repeat(32)));
        out.add(EventCodec.encode(SessionRefused.of("pg", null, Protocol.POSTGRES, "127.0.0.1:5000", null,
                "authentication_failed", "token rejected: bad signature")));
        out.add(EventCodec.encode(ResultRecorded.http(UUID.randomUUID(), 404, 120L, Duration.ofMillis(3), "Not Found")));
        return out;
    }

    @Test
    void everyKindSurvivesTheSpoolUnchanged() {
        List<Envelope> all = everyKind();
        assertThat(all).extracting(Envelope::table).containsAll(List.of(Table.values()));
        for (Envelope e : all) {
            Sink s = new Sink(64);
            Records.spoolForm(s, e);
            Envelope back = Records.fromSpool(s.toByteArray());
            assertThat(back).as(e.kind()).isEqualTo(e);
            assertThat(canonical(back, "main", 7)).isEqualTo(canonical(e, "main", 7));
        }
    }

    @Test
    void canonicalContentIsSortedCompactJson() {
        UUID action = UUID.fromString("01934f1e-0000-7000-8000-000000000001");
        UUID record = UUID.fromString("01934f1e-0000-7000-8000-000000000002");
        ResultRecorded r = new ResultRecorded(record, Instant.parse("2026-11-22T04:00:00.123456789Z"), action, 3L,
                Duration.ofMillis(2), null, "tab\there \"quoted\" ü");
        assertThat(canonical(EventCodec.encode(r), "main", 42)).isEqualTo("[\"result\",{\"action_id\":\"" + action
                + "\",\"at\":1795320000123456,\"bytes\":null,\"chain\":\"main\",\"duration_us\":2000,\"error_class\":null,"
                + "\"error_message\":\"tab\\there \\\"quoted\\\" ü\",\"record_id\":\"" + record + "\",\"rows\":3,\"seq\":42,"
                + "\"status\":null}]");
    }

    @Test
    void httpStatusAndBytesAreCoveredByTheHash() {
        UUID action = UUID.fromString("01934f1e-0000-7000-8000-000000000001");
        UUID record = UUID.fromString("01934f1e-0000-7000-8000-000000000002");
        ResultRecorded r = new ResultRecorded(record, Instant.parse("2026-11-22T04:00:00Z"), action, null,
                Duration.ofMillis(2), "5xx", "Bad Gateway", 502, 17L);
        assertThat(canonical(EventCodec.encode(r), "main", 1)).isEqualTo("[\"result\",{\"action_id\":\"" + action
                + "\",\"at\":1795320000000000,\"bytes\":17,\"chain\":\"main\",\"duration_us\":2000,\"error_class\":\"5xx\","
                + "\"error_message\":\"Bad Gateway\",\"record_id\":\"" + record + "\",\"rows\":null,\"seq\":1,"
                + "\"status\":502}]");
    }

    @Test
    void jsonValuesAreCanonicalWhateverTheirKeyOrderAndNumberSpelling() {
        Identity a = new Identity("https://idp", "alice", null, Set.of(), Map.of("b", 1.50, "a", List.of(1, 2)), List.of());
        Identity b = new Identity("https://idp", "alice", null, Set.of(), Map.of("a", List.of(1L, 2L), "b", 1.5), List.of());
        UUID session = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        Instant at = Instant.now();
        Envelope ea = EventCodec.encode(new SessionStarted(id, at, session, a, "prod", Protocol.POSTGRES, null, null));
        Envelope eb = EventCodec.encode(new SessionStarted(id, at, session, b, "prod", Protocol.POSTGRES, null, null));
        assertThat(canonical(ea, "c", 1)).isEqualTo(canonical(eb, "c", 1)).contains("\"claims\":{\"a\":[1,2],\"b\":1.5}");
    }

    @Test
    void nulAndLoneSurrogatesAreStoredAndHashedAsReplacementCharacters() {
        Envelope e = EventCodec.encode(SessionEnded.of(UUID.randomUUID(), "a\u0000b\uD800c\u001f"));
        assertThat(canonical(e, "c", 1)).contains("\"reason\":\"a\uFFFDb\uFFFDc\\u001f\"");
    }

    @Test
    void idsAreTimeOrderedVersion7() {
        UUID first = LineageIds.next();
        UUID second = LineageIds.next();
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(first.getMostSignificantBits() >>> 16).isLessThanOrEqualTo(second.getMostSignificantBits() >>> 16);
        assertThat((first.getMostSignificantBits() >>> 16) - System.currentTimeMillis()).isBetween(-60_000L, 0L);
    }
}
