package dev.airlock.audit.internal;

import dev.airlock.audit.LineageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only local file of envelopes written while PostgreSQL is unreachable.
 *
 * <p>Frame: magic {@code "LNSP"}, payload length (int), CRC32C of the payload (int), payload (the record's
 * canonical JSON without chain and seq, see {@link Records}; a spool written before 0.2 holds JSON envelopes
 * with a {@code body}, which are still read). Each append is forced to disk before it returns. On open the file is checked end to end: a
 * frame with a bad magic or checksum is {@link LineageException.SpoolCorrupted}; a frame cut short at
 * the very end (a crash in the middle of an append, never acknowledged) is cut off and logged as an error.
 * Not thread-safe: the writer thread owns it.
 */
public final class Spool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final int MAGIC = 0x4C4E5350;
    private static final int HEADER = 12;
    private static final int MAX_FRAME = 64 << 20;

    private final Path path;
    private final long maxBytes;
    private final FileChannel ch;
    private long size;
    private long records;

    private Spool(Path path, long maxBytes, FileChannel ch) {
        this.path = path;
        this.maxBytes = maxBytes;
        this.ch = ch;
    }

    public static Spool open(Path path, long maxBytes) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Spool s = new Spool(path, maxBytes, ch);
        try {
            s.scan();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    private void scan() throws IOException {
        long len = ch.size();
        long pos = 0;
        long n = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos < len) {
            if (len - pos < HEADER) {
                cutTornTail(pos, len);
                break;
            }
            header.clear();
            readFully(header, pos);
            header.flip();
            int magic = header.getInt();
            int length = header.getInt();
            int crc = header.getInt();
            if (magic != MAGIC || length < 0 || length > MAX_FRAME) {
                throw new LineageException.SpoolCorrupted(path + ": bad frame header at offset " + pos
                        + " (record " + (n + 1) + "); the spool is kept as is for inspection");
            }
            if (pos + HEADER + length > len) {
                cutTornTail(pos, len);
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload, pos + HEADER);
            if (crc32c(payload.array()) != crc) {
                throw new LineageException.SpoolCorrupted(path + ": checksum mismatch at offset " + pos
                        + " (record " + (n + 1) + "); the spool is kept as is for inspection");
            }
            pos += HEADER + length;
            n++;
        }
        size = pos;
        records = n;
    }

    private void cutTornTail(long pos, long len) throws IOException {
        log.error("{}: {} bytes at offset {} are an incomplete record (a crash during an append that was never "
                + "acknowledged); cutting them off", path, len - pos, pos);
        ch.truncate(pos);
        ch.force(true);
    }

    public boolean isEmpty() {
        return records == 0;
    }

    public long records() {
        return records;
    }

    public long bytes() {
        return size;
    }

    public Path path() {
        return path;
    }

    /** Appends and forces the envelopes to disk, all or none. */
    public void append(List<Envelope> batch) throws IOException {
        List<byte[]> frames = new ArrayList<>(batch.size());
        long total = 0;
        for (Envelope e : batch) {
            byte[] f = frame(e);
            frames.add(f);
            total += f.length;
        }
        if (size + total > maxBytes) {
            throw new LineageException.SpoolFull(path + ": full (" + size + " of " + maxBytes + " bytes, "
                    + records + " records waiting for PostgreSQL); refusing " + batch.size() + " more record(s)");
        }
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(total));
        frames.forEach(all::put);
        all.flip();
        long pos = size;
        try {
            while (all.hasRemaining()) {
                pos += ch.write(all, pos);
            }
            ch.force(false);
        } catch (IOException e) {
            ch.truncate(size);
            throw e;
        }
        size = pos;
        records += batch.size();
    }

    /** Records from {@code offset} on, at most {@code max}. */
    public Chunk read(long offset, int max) throws IOException {
        List<Envelope> out = new ArrayList<>();
        long pos = offset;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos < size && out.size() < max) {
            header.clear();
            readFully(header, pos);
            header.flip();
            int magic = header.getInt();
            int length = header.getInt();
            int crc = header.getInt();
            if (magic != MAGIC || length < 0 || length > MAX_FRAME || pos + HEADER + length > size) {
                throw new LineageException.SpoolCorrupted(path + ": record at offset " + pos + " changed on disk");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload, pos + HEADER);
            if (crc32c(payload.array()) != crc) {
                throw new LineageException.SpoolCorrupted(path + ": record at offset " + pos + " changed on disk");
            }
            out.add(decode(payload.array(), pos));
            pos += HEADER + length;
        }
        return new Chunk(out, pos);
    }

    /** Empties the spool after everything in it is stored. */
    public void clear() throws IOException {
        ch.truncate(0);
        ch.force(true);
        size = 0;
        records = 0;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    /** Records read from the spool and the offset after the last of them. */
    public record Chunk(List<Envelope> envelopes, long next) {}

    private void readFully(ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new IOException(path + ": unexpected end of file at " + (pos + b.position()));
            }
        }
    }

    private static byte[] frame(Envelope e) {
        Sink payload = new Sink(512);
        Records.spoolForm(payload, e);
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length());
        b.putInt(MAGIC).putInt(payload.length()).putInt(crc32c(payload.array(), payload.length()))
                .put(payload.array(), 0, payload.length());
        return b.array();
    }

    private static Envelope decode(byte[] payload, long pos) {
        try {
            return Records.fromSpool(payload);
        } catch (RuntimeException e) {
            throw new LineageException.SpoolCorrupted("record at offset " + pos + " has a valid checksum but cannot be "
                    + "read (" + e.getMessage() + "); the spool is kept as is for inspection");
        }
    }

    private static int crc32c(byte[] b) {
        return crc32c(b, b.length);
    }

    private static int crc32c(byte[] b, int len) {
        CRC32C c = new CRC32C();
        c.update(b, 0, len);
        return (int) c.getValue();
    }
}
