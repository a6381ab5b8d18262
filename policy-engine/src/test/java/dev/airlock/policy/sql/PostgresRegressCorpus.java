package dev.airlock.policy.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * The SQL scripts of PostgreSQL's regression suite ({@code src/test/regress/sql/*.sql}), taken from a
 * PostgreSQL source tarball that Debian's archive serves. The tarball is downloaded once, its SHA-256
 * checked, and only the regression scripts are kept, in a cache directory keyed by that SHA-256
 * ({@code ~/.cache/airlock/postgres-regress/<sha256>/}, or {@code target/postgres-regress/} when the home
 * directory is not writable). The PostgreSQL sources are never part of this repository.
 *
 * <p>System properties: {@code airlock.pgRegress.source=<url>#<sha256>} replaces the built-in source list
 * (Debian keeps only the current upload of each release in its pool, so a newer one may be needed);
 * {@code airlock.pgRegress.cache=<dir>} moves the cache; {@code airlock.pgRegress.source=none} skips it.
 */
public final class PostgresRegressCorpus {

    /** A source tarball: where to get it, its SHA-256 and the PostgreSQL version it holds. */
    public record Source(String url, String sha256, String version) {
    }

    /**
     * The regression scripts by file name, or why there are none ({@code skipped}); {@code failures} lists the
     * sources tried before the one used.
     */
    public record Result(Source source, Map<String, String> files, String skipped, List<String> failures) {
    }

    /**
     * Tried in order. PostgreSQL 18's suite covers the PostgreSQL 17 grammar the analyser targets (statements
     * that only PostgreSQL 18 accepts are rejected by libpg_query 17 and so left out of the comparison); Debian
     * lists postgresql-17 17.12 for trixie, but its pool does not serve the tarball (404), so 15 is the fallback.
     */
    static final List<Source> SOURCES = List.of(
            new Source("http://deb.debian.org/debian/pool/main/p/postgresql-18/postgresql-18_18.6.orig.tar.bz2",
                    "555610c24d53e4316da5b7d3fc25c279d96856d5e0e23ee308c328c5fa881d9f", "18.6"),
            new Source("http://deb.debian.org/debian/pool/main/p/postgresql-15/postgresql-15_15.18.orig.tar.bz2",
                    "11df0df97fe3ea4ba9a791faaf39cee1d2fe571e78885b5b55d8517d27c323b4", "15.18"));

    private static final int CONNECT_TIMEOUT_MS = 20_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final long TOTAL_TIMEOUT_MS = 300_000;
    private static final long MAX_BYTES = 64L * 1024 * 1024;
    private static final String DONE = "complete";

    private PostgresRegressCorpus() {
    }

    /** The regression scripts of the first source that can be had; never throws for a network problem. */
    public static Result load() {
        String configured = System.getProperty("airlock.pgRegress.source", "").trim();
        if (configured.equalsIgnoreCase("none")) {
            return new Result(null, Map.of(), "disabled by -Dairlock.pgRegress.source=none", List.of());
        }
        List<Source> sources = SOURCES;
        if (!configured.isEmpty()) {
            int hash = configured.lastIndexOf('#');
            if (hash < 0) {
                return new Result(null, Map.of(), "airlock.pgRegress.source: " + configured
                        + " (expected: <url>#<sha256>)", List.of());
            }
            String url = configured.substring(0, hash);
            sources = List.of(new Source(url, configured.substring(hash + 1),
                    "from " + url.substring(url.lastIndexOf('/') + 1)));
        }
        List<String> failures = new ArrayList<>();
        for (Source source : sources) {
            try {
                Map<String, String> files = load(source);
                if (files.isEmpty()) {
                    failures.add(source.url() + ": no src/test/regress/sql/*.sql in the tarball");
                    continue;
                }
                return new Result(source, files, null, List.copyOf(failures));
            } catch (IOException e) {
                failures.add(source.url() + ": " + e);
            }
        }
        return new Result(null, Map.of(), String.join("; ", failures), List.copyOf(failures));
    }

    static Path cacheRoot() throws IOException {
        String configured = System.getProperty("airlock.pgRegress.cache");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path home = Paths.get(System.getProperty("user.home"), ".cache", "airlock", "postgres-regress");
        try {
            Files.createDirectories(home);
            if (Files.isWritable(home)) {
                return home;
            }
        } catch (IOException | SecurityException e) {
            // fall through to target/
        }
        return Paths.get("target", "postgres-regress").toAbsolutePath();
    }

    private static Map<String, String> load(Source source) throws IOException {
        Path dir = cacheRoot().resolve(source.sha256().toLowerCase(java.util.Locale.ROOT));
        if (!Files.exists(dir.resolve(DONE)) || !Files.isDirectory(dir.resolve("sql"))) {
            Files.createDirectories(dir);
            Path tarball = dir.resolve("download-" + ProcessHandle.current().pid() + ".tar.bz2.part");
            download(source, tarball);
            try {
                extract(tarball, dir.resolve("sql"));
            } finally {
                Files.deleteIfExists(tarball);
            }
            Files.writeString(dir.resolve(DONE), source.url() + "\n", StandardCharsets.UTF_8);
        }
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir.resolve("sql"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (!p.getFileName().toString().endsWith(".sql")) {
                    continue;
                }
                files.put(p.getFileName().toString(), decode(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    /**
     * UTF-8, or for the few scripts written for a single-byte client encoding (collate.windows.win1252.sql),
     * that encoding: psql would convert them to the server encoding before sending.
     */
    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, java.nio.charset.Charset.forName("windows-1252"));
        }
    }

    private static void download(Source source, Path target) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long deadline = System.currentTimeMillis() + TOTAL_TIMEOUT_MS;
        HttpURLConnection c = (HttpURLConnection) URI.create(source.url()).toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setInstanceFollowRedirects(true);
        try {
            int status = c.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            long total = 0;
            try (InputStream in = new DigestInputStream(c.getInputStream(), sha);
                 OutputStream out = Files.newOutputStream(target)) {
                byte[] b = new byte[64 * 1024];
                int r;
                while ((r = in.read(b)) >= 0) {
                    out.write(b, 0, r);
                    total += r;
                    if (total > MAX_BYTES) {
                        throw new IOException("more than " + MAX_BYTES + " bytes");
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("download took longer than " + TOTAL_TIMEOUT_MS / 1000 + " s");
                    }
                }
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (!got.equalsIgnoreCase(source.sha256())) {
                Files.deleteIfExists(target);
                throw new IOException("SHA-256 mismatch: got " + got + " (expected: " + source.sha256() + ", "
                        + total + " bytes read)");
            }
        } finally {
            c.disconnect();
        }
    }

    /** Keeps only src/test/regress/sql/*.sql, written atomically per file. */
    private static void extract(Path tarball, Path sqlDir) throws IOException {
        Files.createDirectories(sqlDir);
        try (InputStream raw = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(new BZip2CompressorInputStream(
                     new java.io.BufferedInputStream(raw, 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                int at = name.indexOf("/src/test/regress/sql/");
                if (!e.isFile() || at < 0 || !name.endsWith(".sql")) {
                    continue;
                }
                String file = name.substring(at + "/src/test/regress/sql/".length());
                if (file.isEmpty() || file.contains("/") || file.startsWith(".")) {
                    continue;
                }
                Path tmp = sqlDir.resolve("." + file + "." + ProcessHandle.current().pid() + ".tmp");
                Files.write(tmp, tar.readAllBytes());
                Files.move(tmp, sqlDir.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
