package dev.airlock.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.Problems;
import dev.airlock.config.yaml.Validated;
import dev.airlock.config.yaml.Yaml;
import dev.airlock.config.yaml.YamlMapping;
import dev.airlock.config.yaml.YamlNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock check-config}: validates {@code airlock.yaml} and the policy files it lists. Exit 0 and
 * a one-line summary on stdout when everything is valid; exit 2 and every problem
 * ({@code file:line:column: path: message}) on stderr otherwise.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate airlock.yaml and the policy files it lists.",
            "Prints a one-line summary and exits 0 when valid; prints every problem as"
                + " file:line:column: path: message to stderr and exits 2 otherwise."})
final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "airlock.yaml",
            description = "The configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Validated<AirlockConfig> loaded = AirlockConfigLoader.load(config);
        List<ConfigProblem> problems = new ArrayList<>(loaded.problems());
        if (loaded instanceof Validated.Valid<AirlockConfig> valid) {
            problems.addAll(validatePolicyFiles(valid.value()));
        }
        if (problems.isEmpty()) {
            out.println(config + ": OK (" + loaded.orElseThrow().summary() + ")");
            out.flush();
            return 0;
        }
        problems.forEach(err::println);
        err.println(config + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        err.flush();
        return AirlockCommand.EXIT_INVALID;
    }

    /**
     * Checks the policy files {@code config} lists. This is the seam for the policy binding: until it is
     * wired in here, each file must exist (the loader already checked) and be a YAML mapping. The full
     * check also validates channel ids against {@link AirlockConfig#channelIds()}.
     */
    static List<ConfigProblem> validatePolicyFiles(AirlockConfig config) {
        Problems problems = new Problems();
        for (Path file : config.policy().files()) {
            Path shown = displayPath(file);
            Optional<YamlNode> root = Yaml.parse(shown, problems);
            if (root.isPresent() && !(root.get() instanceof YamlMapping)) {
                problems.add(root.get(), "expected a mapping with approval_profiles and rules, got " + root.get().describe());
            }
        }
        return problems.list();
    }

    /** The path relative to the working directory when it lies below it, so messages stay short. */
    private static Path displayPath(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return file.startsWith(cwd) ? cwd.relativize(file) : file;
    }
}
