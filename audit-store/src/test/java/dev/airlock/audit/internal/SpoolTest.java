package dev.airlock.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.LineageException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static final long AT = Type.micros(Instant.parse("2026-11-22T04:00:00.123456789Z"));

    private static Envelope env(String reason) {
        return new Envelope(Table.SESSION_ENDS, new Object[] {UUID.randomUUID(), UUID.randomUUID(), AT, AT, reason}, null);
    }

    @Test
    void roundTripsRecordsInOrderAcrossReopen() throws Exception {
        Path p = dir.resolve("s");
        List<Envelope> es = List.of(env("tab\t\"quoted\""), env("ünïcødé\n😀"), env(null));
        try (Spool s = Spool.open(p, 1 << 20)) {
            s.append(es.subList(0, 2));
            s.append(es.subList(2, 3));
        }
        try (Spool s = Spool.open(p, 1 << 20)) {
            assertThat(s.records()).isEqualTo(3);
            Spool.Chunk first = s.read(0, 2);
            assertThat(first.envelopes()).containsExactlyElementsOf(es.subList(0, 2));
            assertThat(s.read(first.next(), 10).envelopes()).containsExactlyElementsOf(es.subList(2, 3));
            s.clear();
            assertThat(s.isEmpty()).isTrue();
        }
        assertThat(Files.size(p)).isZero();
    }

    @Test
    void readsASpoolWrittenBeforeTheTablesCarriedTheChain() throws Exception {
        // the frame payload of Airlock 0.1: {"id", "kind", "at_us", "body"} with ISO-8601 times in the body
        UUID id = UUID.randomUUID();
        UUID session = UUID.randomUUID();
        String payload = "{\"id\":\"" + id + "\",\"kind\":\"session_end\",\"at_us\":" + AT + ",\"body\":"
                + "\"{\\\"session_id\\\":\\\"" + session + "\\\",\\\"ended_at\\\":\\\"2026-11-22T04:00:00.123456Z\\\","
                + "\\\"reason\\\":\\\"client closed\\\"}\"}";
        byte[] b = payload.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(b);
        ByteBuffer frame = ByteBuffer.allocate(12 + b.length).putInt(0x4C4E5350).putInt(b.length).putInt((int) crc.getValue()).put(b);
        Path p = dir.resolve("old");
        Files.write(p, frame.array(), StandardOpenOption.CREATE_NEW);
        try (Spool s = Spool.open(p, 1 << 20)) {
            assertThat(s.read(0, 10).envelopes()).containsExactly(
                    new Envelope(Table.SESSION_ENDS, new Object[] {session, id, AT, AT, "client closed"}, null));
        }
    }

    @Test
    void cutsOffARecordTornByACrashButKeepsTheOthers() throws Exception {
        Path p = dir.resolve("s");
        Envelope one = env("1");
        try (Spool s = Spool.open(p, 1 << 20)) {
            s.append(List.of(one, env("2")));
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        try (Spool s = Spool.open(p, 1 << 20)) {
            assertThat(s.records()).isEqualTo(1);
            assertThat(s.read(0, 10).envelopes()).containsExactly(one);
        }
    }

    @Test
    void refusesAFlippedBit() throws Exception {
        Path p = dir.resolve("s");
        try (Spool s = Spool.open(p, 1 << 20)) {
            s.append(List.of(env("1"), env("2")));
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(f.length() - 2);
            int b = f.read();
            f.seek(f.length() - 2);
            f.write(b ^ 1);
        }
        assertThatThrownBy(() -> Spool.open(p, 1 << 20)).isInstanceOf(LineageException.SpoolCorrupted.class)
                .hasMessageContaining("(record 2)");
    }

    @Test
    void refusesToGrowPastItsLimit() throws Exception {
        try (Spool s = Spool.open(dir.resolve("s"), 100)) {
            assertThatThrownBy(() -> s.append(List.of(env("x".repeat(100)))))
                    .isInstanceOf(LineageException.SpoolFull.class).hasMessageContaining("full (0 of 100 bytes");
            assertThat(s.isEmpty()).isTrue();
        }
    }
}
