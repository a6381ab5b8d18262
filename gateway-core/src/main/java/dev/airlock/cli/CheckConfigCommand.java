package dev.airlock.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.config.policy.PolicyCrossCheck;
import dev.airlock.config.policy.PolicyDocument;
import dev.airlock.config.policy.PolicyException;
import dev.airlock.config.policy.PolicyProblem;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.config.yaml.ConfigProblem;
import dev.airlock.config.yaml.Validated;
import dev.airlock.policy.PolicyCompiler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
     * Checks the policy files {@code config} lists: each file on its own (schema, kinds, templates), the
     * files together (unique rule ids and profiles, approvals defined, one settings block), that they
     * compile, and that they agree with {@code airlock.yaml} (connection names, approval channels).
     */
    static List<ConfigProblem> validatePolicyFiles(AirlockConfig config) {
        List<Path> files = config.policy().files().stream().map(CheckConfigCommand::displayPath).toList();
        List<PolicyProblem> problems = new ArrayList<>();
        try {
            List<PolicyDocument> docs = PolicyReader.readAll(files);
            PolicyCompiler.compile(docs);
            problems.addAll(PolicyCrossCheck.check(docs, config));
        } catch (PolicyException e) {
            problems.addAll(e.problems());
        }
        return problems.stream().map(PolicyProblem::toConfigProblem).toList();
    }

    /** The path relative to the working directory when it lies below it, so messages stay short. */
    private static Path displayPath(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return file.startsWith(cwd) ? cwd.relativize(file) : file;
    }
}
