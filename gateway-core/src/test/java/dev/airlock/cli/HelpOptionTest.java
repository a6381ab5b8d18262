package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpOptionTest {

    @Test
    void everyCommandAnswersHelp() {
        List<String[]> paths = new ArrayList<>();
        collect(AirlockCommand.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(10);
        for (String[] path : paths) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = AirlockCommand.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            int rc = cl.execute(args);
            assertThat(rc).as("airlock %s --help exit status (stderr: %s)", String.join(" ", path), err).isZero();
            assertThat(out.toString()).as("airlock %s --help", String.join(" ", path))
                    .startsWith("Usage: airlock" + (path.length == 0 ? "" : " " + String.join(" ", path)));
            assertThat(err.toString()).isEmpty();
        }
    }

    private static void collect(CommandLine cl, List<String> prefix, List<String[]> into) {
        into.add(prefix.toArray(String[]::new));
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help") || !sub.getCommandName().equals(name)) {
                return; // picocli's help command; aliases
            }
            List<String> p = new ArrayList<>(prefix);
            p.add(name);
            collect(sub, p, into);
        });
    }
}
