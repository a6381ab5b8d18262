package dev.airlock.config;

import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.Validated;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches configuration files and delivers a new validated snapshot when they change.
 *
 * <p>The watcher watches the files' <em>directories</em>, so editors that save by writing a temporary
 * file and renaming it over the original (vim, IntelliJ, {@code kubectl} ConfigMap symlink swaps) are
 * seen like in-place writes. Events are debounced: the files are reloaded once they have been quiet
 * for the debounce period (or, if they keep changing, ten debounce periods after the first change). A reload that validates and differs from the current snapshot goes to
 * {@link Listener#onChange}; one that does not validate goes to {@link Listener#onInvalid} with every
 * problem, and the previous snapshot stays current. Listener calls come from the watcher's own thread,
 * one at a time.
 *
 * @param <T> the snapshot type
 */
public final class ConfigWatcher<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final int MAX_DELAY_FACTOR = 10;

    /** Receives snapshots and problems. */
    public interface Listener<T> {

        /** A new valid snapshot (different from the previous one). */
        void onChange(T snapshot);

        /** The files changed but do not validate; the previous snapshot stays in force. */
        void onInvalid(List<ConfigProblem> problems);
    }

    private final Supplier<Validated<T>> loader;
    private final Duration debounce;
    private final Listener<T> listener;
    private final WatchService watchService;
    private final Map<WatchKey, Path> directories = new HashMap<>();
    private final Map<Path, Set<Path>> watchedNames = new HashMap<>();
    private final Thread thread;
    private volatile T current;
    private volatile boolean closed;

    private ConfigWatcher(Set<Path> files, Supplier<Validated<T>> loader, Duration debounce, Listener<T> listener)
            throws IOException {
        this.loader = loader;
        this.debounce = debounce;
        this.listener = listener;
        FileSystem fs = files.iterator().next().getFileSystem();
        this.watchService = fs.newWatchService();
        try {
            for (Path file : files) {
                Path dir = file.getParent();
                if (!watchedNames.containsKey(dir)) {
                    WatchKey key = dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                    directories.put(key, dir);
                }
                watchedNames.computeIfAbsent(dir, d -> new HashSet<>()).add(file.getFileName());
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = new Thread(this::run, "airlock-config-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * Loads {@code files} with {@code loader} now and then again whenever one of them changes.
     *
     * @param files    the files to watch (absolute or relative; their directories must exist)
     * @param loader   loads and validates all of them
     * @param debounce how long the files must be quiet before a reload
     * @param listener receives the initial result (synchronously, before this returns) and every change
     * @throws IOException when a directory cannot be watched
     */
    public static <T> ConfigWatcher<T> start(Set<Path> files, Supplier<Validated<T>> loader, Duration debounce,
                                             Listener<T> listener) throws IOException {
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(debounce, "debounce");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files: [] (expected: at least one)");
        }
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
        }
        Set<Path> absolute = new HashSet<>();
        files.forEach(f -> absolute.add(f.toAbsolutePath().normalize()));
        // Register first, then load: a change made meanwhile is queued, not lost.
        ConfigWatcher<T> watcher = new ConfigWatcher<>(absolute, loader, debounce, listener);
        Validated<T> first;
        try {
            first = loader.get();
        } catch (RuntimeException e) {
            watcher.watchService.close();
            throw e;
        }
        watcher.deliver(first, true);
        watcher.thread.start();
        return watcher;
    }

    /** Watches one file loaded by {@code loader}. */
    public static <T> ConfigWatcher<T> start(Path file, Function<Path, Validated<T>> loader, Duration debounce,
                                             Listener<T> listener) throws IOException {
        return start(Set.of(file), () -> loader.apply(file), debounce, listener);
    }

    /** The latest valid snapshot, or null when none has validated yet. */
    public T current() {
        return current;
    }

    private void run() {
        long reloadAt = Long.MAX_VALUE;
        long latest = Long.MAX_VALUE; // a file that never stops changing is still reloaded, at this time at the latest
        try {
            while (true) {
                long now = System.nanoTime();
                WatchKey key = reloadAt == Long.MAX_VALUE ? watchService.take()
                        : watchService.poll(Math.max(0, reloadAt - now), TimeUnit.NANOSECONDS);
                if (key == null) {
                    reloadAt = Long.MAX_VALUE;
                    latest = Long.MAX_VALUE;
                    reload();
                    continue;
                }
                if (isRelevant(key)) {
                    now = System.nanoTime();
                    if (latest == Long.MAX_VALUE) {
                        latest = now + MAX_DELAY_FACTOR * debounce.toNanos();
                    }
                    reloadAt = Math.min(now + debounce.toNanos(), latest);
                }
                if (!key.reset()) {
                    log.warn("Stopped watching {}: the directory is no longer accessible", directories.get(key));
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed
        }
    }

    private boolean isRelevant(WatchKey key) {
        Path dir = directories.get(key);
        Set<Path> names = dir == null ? Set.of() : watchedNames.getOrDefault(dir, Set.of());
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                relevant = true;
            } else if (event.context() instanceof Path name) {
                // "..data" and friends: Kubernetes ConfigMap/Secret volumes swap a symlink, not the file.
                relevant |= names.contains(name) || name.toString().startsWith("..");
            }
        }
        return relevant;
    }

    private void reload() {
        Validated<T> result;
        try {
            result = loader.get();
        } catch (RuntimeException e) {
            log.error("Reloading configuration failed; keeping the previous configuration", e);
            return;
        }
        deliver(result, false);
    }

    private void deliver(Validated<T> result, boolean initial) {
        if (closed) {
            return; // a load cut short by close() is not news
        }
        try {
            if (result instanceof Validated.Valid<T> v) {
                if (initial || !v.value().equals(current)) {
                    current = v.value();
                    listener.onChange(v.value());
                }
            } else {
                listener.onInvalid(result.problems());
            }
        } catch (RuntimeException e) {
            log.error("Configuration listener failed", e);
        }
    }

    /** Stops watching. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("Closing the watch service failed", e);
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
