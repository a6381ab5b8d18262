package dev.airlock.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** Switches the root logger between the text pattern in {@code logback.xml} and JSON lines. */
final class Logging {

    private Logging() {}

    static void configure(LogFormat format) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (format != LogFormat.JSON) {
            // Back to logback.xml (the text pattern), whatever was configured before.
            ctx.reset();
            try {
                new ContextInitializer(ctx).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("logback.xml: " + e.getMessage(), e);
            }
            return;
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(ctx);
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(ctx);
        out.setName("JSON");
        out.setTarget("System.err");
        out.setEncoder(encoder);
        out.start();
        root.addAppender(out);
    }
}
