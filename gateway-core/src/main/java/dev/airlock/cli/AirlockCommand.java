package dev.airlock.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code airlock}: the root command. Subcommands do the work. */
@Command(name = "airlock",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Identity-aware gateway between AI agents and your databases, hosts and APIs.",
        subcommands = {VersionCommand.class, CommandLine.HelpCommand.class, PolicyCommand.class, CheckConfigCommand.class, RunCommand.class, DemoCommand.class, ApprovalsCommand.class, AuditCommand.class},
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = AirlockCommand.EXIT_INVALID)
public final class AirlockCommand implements Callable<Integer> {

    /** Exit status for invalid input (bad configuration, bad arguments). */
    public static final int EXIT_INVALID = 2;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json",
            description = "Log line format: text (default) or json (one JSON object per line).")
    void logFormat(LogFormat format) {
        Logging.configure(format);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AirlockCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        addMissingHelpOptions(cl);
        return cl;
    }

    /** Every command and subcommand answers {@code -h/--help}, whether or not its class declares it. */
    private static void addMissingHelpOptions(CommandLine cl) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        boolean hasHelp = spec.options().stream().anyMatch(CommandLine.Model.OptionSpec::usageHelp);
        if (!hasHelp && spec.findOption("--help") == null) {
            spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        cl.getSubcommands().values().forEach(AirlockCommand::addMissingHelpOptions);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
