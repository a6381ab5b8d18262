package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        Logging.configure(LogFormat.TEXT);
    }

    @Test
    void logFormatJsonWritesOneJsonObjectPerLine() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));

        int exit = AirlockCommand.commandLine().execute("--log-format", "json", "version");
        LoggerFactory.getLogger("dev.airlock.test").info("hello {}", "json");

        assertThat(exit).isZero();
        String out = captured.toString(StandardCharsets.UTF_8).strip();
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        JsonNode line = new ObjectMapper().readTree(last);
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("loggerName").asText()).isEqualTo("dev.airlock.test");
        assertThat(line.get("formattedMessage").asText()).isEqualTo("hello json");
    }

    @Test
    void rejectsAnUnknownLogFormat() {
        assertThat(AirlockCommand.commandLine().execute("--log-format", "xml", "version"))
                .isEqualTo(AirlockCommand.EXIT_INVALID);
    }
}
