package dev.airlock.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.yaml.Binder;
import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.MappingReader;
import dev.airlock.config.yaml.Problems;
import dev.airlock.config.yaml.Validated;
import dev.airlock.config.yaml.Yaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    /** A tiny config: {@code name: <string>, port: <port>}. */
    record Tiny(String name, int port) {
    }

    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    private static final long AWAIT_SECONDS = 20;

    @TempDir
    Path dir;

    private final BlockingQueue<Tiny> changes = new LinkedBlockingQueue<>();
    private final BlockingQueue<List<ConfigProblem>> invalid = new LinkedBlockingQueue<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final Semaphore loaded = new Semaphore(0);
    private ConfigWatcher<Tiny> watcher;

    private final ConfigWatcher.Listener<Tiny> listener = new ConfigWatcher.Listener<>() {
        @Override
        public void onChange(Tiny snapshot) {
            changes.add(snapshot);
        }

        @Override
        public void onInvalid(List<ConfigProblem> problems) {
            invalid.add(problems);
        }
    };

    private Validated<Tiny> load(Path file) {
        loads.incrementAndGet();
        Problems problems = new Problems();
        Binder b = Binder.forFile(file, problems);
        Tiny tiny = Yaml.parse(file, problems).map(root -> {
            MappingReader m = b.mapping(root);
            String name = m.required("name", b::string);
            Integer port = m.required("port", b::port);
            return m.build(() -> new Tiny(name, port));
        }).orElse(null);
        loaded.release();
        return Validated.of(tiny, problems);
    }

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private Path start(String content, Duration debounce) throws IOException {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, content);
        watcher = ConfigWatcher.start(file, this::load, debounce, listener);
        return file;
    }

    private Tiny nextChange() throws InterruptedException {
        Tiny t = changes.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(t).as("a change within %ss", AWAIT_SECONDS).isNotNull();
        return t;
    }

    @Test
    void deliversTheInitialSnapshotBeforeStartReturns() throws Exception {
        start("name: a\nport: 1\n", DEBOUNCE);
        assertThat(changes).containsExactly(new Tiny("a", 1));
        assertThat(watcher.current()).isEqualTo(new Tiny("a", 1));
    }

    @Test
    void deliversAValidEdit() throws Exception {
        Path file = start("name: a\nport: 1\n", DEBOUNCE);
        assertThat(nextChange()).isEqualTo(new Tiny("a", 1));
        Files.writeString(file, "name: b\nport: 2\n");
        assertThat(nextChange()).isEqualTo(new Tiny("b", 2));
        assertThat(watcher.current()).isEqualTo(new Tiny("b", 2));
    }

    @Test
    void invalidEditKeepsThePreviousSnapshotAndReportsEveryProblem() throws Exception {
        Path file = start("name: a\nport: 1\n", DEBOUNCE);
        nextChange();
        Files.writeString(file, "name: [b]\nport: 0\ncolour: red\n");
        List<ConfigProblem> problems = invalid.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(problems).extracting(p -> p.line() + ":" + p.column() + ": " + p.path() + ": " + p.message()).containsExactly(
                "1:7: name: expected a string, got a list",
                "2:7: port: 0 is not a valid port (expected: 1..65535)",
                "3:1: colour: unknown key (expected one of: name, port)");
        assertThat(watcher.current()).isEqualTo(new Tiny("a", 1));
        assertThat(changes).isEmpty();

        Files.writeString(file, "name: c\nport: 3\n");
        assertThat(nextChange()).isEqualTo(new Tiny("c", 3));
    }

    @Test
    void seesRenameStyleSaves() throws Exception {
        Path file = start("name: a\nport: 1\n", DEBOUNCE);
        nextChange();
        Path tmp = dir.resolve(".tiny.yaml.swp");
        Files.writeString(tmp, "name: renamed\nport: 4\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(nextChange()).isEqualTo(new Tiny("renamed", 4));

        // vim without 'backupcopy': the original is moved away, then a new file is written.
        Files.move(file, dir.resolve("tiny.yaml~"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(file, "name: vim\nport: 5\n");
        assertThat(nextChange()).isEqualTo(new Tiny("vim", 5));
    }

    @Test
    void debouncesBurstsOfWrites() throws Exception {
        Path file = start("name: a\nport: 1\n", Duration.ofSeconds(1));
        nextChange();
        int before = loads.get();
        for (int i = 2; i <= 6; i++) {
            Files.writeString(file, "name: burst\nport: " + i + "\n");
        }
        assertThat(nextChange()).isEqualTo(new Tiny("burst", 6));
        assertThat(loads.get() - before).isEqualTo(1);
        assertThat(invalid).isEmpty();
    }

    @Test
    void ignoresOtherFiles() throws Exception {
        start("name: a\nport: 1\n", DEBOUNCE);
        nextChange();
        int before = loads.get();
        Files.writeString(dir.resolve("other.yaml"), "x: 1\n");
        // Nothing may happen: wait well past the debounce period.
        assertThat(changes.poll(5 * DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(loads.get()).isEqualTo(before);
    }

    @Test
    void reloadWithUnchangedContentDeliversNothing() throws Exception {
        Path file = start("name: a\nport: 1\n", DEBOUNCE);
        nextChange();
        loaded.drainPermits();
        Files.writeString(file, "# a new comment, same configuration\nname: a\nport: 1\n");
        assertThat(loaded.tryAcquire(AWAIT_SECONDS, TimeUnit.SECONDS)).as("reloaded").isTrue();
        watcher.close(); // joins the watcher thread: any delivery for that reload has happened by now
        assertThat(changes).isEmpty();
        assertThat(invalid).isEmpty();
    }

    @Test
    void watchesSeveralFilesInSeveralDirectories() throws Exception {
        Path main = dir.resolve("tiny.yaml");
        Path sub = Files.createDirectories(dir.resolve("policies")).resolve("port.yaml");
        Files.writeString(main, "name: a\nport: 1\n");
        Files.writeString(sub, "name: ignored\nport: 7\n");
        ConfigWatcher<Tiny> w = ConfigWatcher.start(java.util.Set.of(main, sub),
                () -> load(main).map(t -> new Tiny(t.name(), load(sub).orElseThrow().port())), DEBOUNCE, listener);
        try {
            assertThat(nextChange()).isEqualTo(new Tiny("a", 7));
            Files.writeString(sub, "name: ignored\nport: 8\n");
            assertThat(nextChange()).isEqualTo(new Tiny("a", 8));
            Files.writeString(main, "name: b\nport: 1\n");
            assertThat(nextChange()).isEqualTo(new Tiny("b", 8));
        } finally {
            w.close();
        }
    }

    @Test
    void closeStopsDelivering() throws Exception {
        Path file = start("name: a\nport: 1\n", DEBOUNCE);
        nextChange();
        watcher.close();
        watcher.close();
        int before = loads.get();
        Files.writeString(file, "name: b\nport: 2\n");
        assertThat(changes.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(loads.get()).isEqualTo(before);
    }
}
