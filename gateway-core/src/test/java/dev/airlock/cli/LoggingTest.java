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
    void shippedLogbackXmlConfiguresWithoutErrors() throws Exception {
        // Tests run with logback-test.xml, so the file the jar ships is checked here explicitly.
        ch.qos.logback.classic.LoggerContext ctx = new ch.qos.logback.classic.LoggerContext();
        ch.qos.logback.classic.joran.JoranConfigurator configurator = new ch.qos.logback.classic.joran.JoranConfigurator();
        configurator.setContext(ctx);
        configurator.doConfigure(getClass().getResource("/logback.xml"));
        assertThat(ctx.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        assertThat(ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
        ctx.stop();
    }

    @Test
    void rejectsAnUnknownLogFormat() {
        assertThat(AirlockCommand.commandLine().execute("--log-format", "xml", "version"))
                .isEqualTo(AirlockCommand.EXIT_INVALID);
    }
}
