package dev.airlock.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.LineageException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static Envelope env(String body) {
        return new Envelope(UUID.randomUUID(), "session_end", Instant.parse("2026-11-22T04:00:00.123456789Z"), body);
    }

    @Test
    void roundTripsEnvelopesInOrderAcrossReopen() throws Exception {
        Path p = dir.resolve("s");
        List<Envelope> es = List.of(env("{\"a\":\"tab\\t\"}"), env("{\"b\":\"ünïcødé\\n\"}"), env("{}"));
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
    void cutsOffARecordTornByACrashButKeepsTheOthers() throws Exception {
        Path p = dir.resolve("s");
        try (Spool s = Spool.open(p, 1 << 20)) {
            s.append(List.of(env("{\"n\":1}"), env("{\"n\":2}")));
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        try (Spool s = Spool.open(p, 1 << 20)) {
            assertThat(s.records()).isEqualTo(1);
            assertThat(s.read(0, 10).envelopes()).extracting(Envelope::body).containsExactly("{\"n\":1}");
        }
    }

    @Test
    void refusesAFlippedBit() throws Exception {
        Path p = dir.resolve("s");
        try (Spool s = Spool.open(p, 1 << 20)) {
            s.append(List.of(env("{\"n\":1}"), env("{\"n\":2}")));
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
            assertThatThrownBy(() -> s.append(List.of(env("{\"n\":\"" + "x".repeat(100) + "\"}"))))
                    .isInstanceOf(LineageException.SpoolFull.class).hasMessageContaining("full (0 of 100 bytes");
            assertThat(s.isEmpty()).isTrue();
        }
    }
}
