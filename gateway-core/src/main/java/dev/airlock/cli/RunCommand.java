package dev.airlock.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.config.yaml.Binder;
import dev.airlock.config.yaml.Validated;
import dev.airlock.gateway.AirlockServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock run}: starts the listeners, the admin listener and policy hot reload; stops on SIGTERM/SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run Airlock with a configuration file until interrupted (graceful shutdown on SIGTERM).")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "airlock.yaml",
            description = "The configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads for agent and upstream connections (default: twice the cores).")
    Integer ioThreads;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "10s",
            description = {"On SIGTERM: how long open sessions and requests may finish before pending approvals are"
                    + " cancelled and the rest is closed, e.g. 30s or 2m (default: ${DEFAULT-VALUE}).",
                    "Keep it below your orchestrator's kill timeout (Kubernetes: terminationGracePeriodSeconds, 30s)."})
    String shutdownGrace;

    @Option(names = "--replica-id", paramLabel = "ID", defaultValue = "${env:AIRLOCK_REPLICA_ID:-airlock-1}",
            description = {"This process's name among the Airlock replicas sharing a lineage store; each live one needs"
                    + " its own (a second process with the same id is refused). It owns its pending approvals across"
                    + " restarts, so keep it stable per replica (a StatefulSet pod name, say).",
                    "Default: $AIRLOCK_REPLICA_ID, else airlock-1."})
    String replicaId;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkIoThreads(spec, ioThreads);
        Duration grace = shutdownGrace(spec, shutdownGrace);
        AirlockServer.Options options;
        try {
            options = AirlockServer.Options.defaults().withIoThreads(ioThreads == null ? 0 : ioThreads)
                    .withShutdownGrace(grace).withReplicaId(replicaId);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replica-id: " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        Validated<AirlockConfig> loaded = AirlockConfigLoader.load(config);
        if (!loaded.isValid()) {
            loaded.problems().forEach(err::println);
            err.flush();
            return AirlockCommand.EXIT_INVALID;
        }
        AirlockServer server;
        try {
            server = AirlockServer.start(loaded.orElseThrow(), options);
        } catch (IllegalArgumentException e) {
            err.println(config + ": " + e.getMessage());
            err.flush();
            return AirlockCommand.EXIT_INVALID;
        } catch (IllegalStateException e) {
            err.println("airlock run: " + e.getMessage());
            err.flush();
            return AirlockCommand.EXIT_INVALID;
        }
        awaitShutdown(server, spec.commandLine().getOut());
        return 0;
    }

    /** {@code --io-threads}: 1-1024, or left out. */
    static void checkIoThreads(CommandLine.Model.CommandSpec spec, Integer n) {
        if (n != null && (n < 1 || n > 1024)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--io-threads: " + n + " (expected: 1-1024)");
        }
    }

    /** {@code --shutdown-grace}: a duration as in {@code airlock.yaml}, at most 1 h. */
    static Duration shutdownGrace(CommandLine.Model.CommandSpec spec, String text) {
        Optional<Duration> d = Binder.parseDuration(text);
        if (d.isEmpty() || d.get().compareTo(Duration.ofHours(1)) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shutdown-grace: '" + text
                    + "' (expected: a duration up to 1h, like 500ms, 30s or 2m; 0s closes at once)");
        }
        return d.get();
    }

    /** Blocks until the JVM is asked to stop, then closes {@code server} gracefully. */
    static void awaitShutdown(AutoCloseable server, PrintWriter out) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "airlock-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.flush();
        stopped.await();
    }
}
