package glint;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import glint.config.GlintConfig.LogConfig;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * The log as oslo.log's options say, applied to Logback before anything is served: {@code log_config_append} (a
 * Logback configuration file, which then decides everything, as oslo's logging config file does), else
 * {@code debug} (Glint's loggers at DEBUG) and {@code use_json} (each line one JSON object, by Logback's own
 * {@link JsonEncoder}: timestamp, level, thread, logger, the MDC — request id, user and project —, the access line's
 * fields, the message and any exception).
 */
final class LogSetup {
    private LogSetup() {}

    static void apply(LogConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: it is configured its own way
        }
        if (config.configAppend().isPresent()) {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            context.reset();
            try {
                joran.doConfigure(config.configAppend().get().toFile());
            } catch (JoranException e) {
                throw new IllegalArgumentException("log_config_append: " + config.configAppend().get() + ": " + e.getMessage(), e);
            }
            return;
        }
        if (config.debug()) {
            context.getLogger("glint").setLevel(Level.DEBUG);
        }
        if (config.useJson()) {
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
                    out.stop();
                    out.setEncoder(jsonEncoder(context));
                    out.start();
                }
            }
        }
    }

    /** Logback's JSON encoder with the fields an operator's log pipeline wants, one object per line. */
    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        return json;
    }
}
