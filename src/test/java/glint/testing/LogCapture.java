package glint.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What a logger (of any server in this JVM) logged while the capture was open: the real log events, not a stub. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source.getName());
    }

    /** The logger named {@code name} ({@code glint.access}). */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The events themselves (MDC, key-value pairs), in order. */
    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Formatted messages (with the exception's class and message, when one was logged) at {@code level}. */
    public List<String> at(Level level) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel() == level).map(LogCapture::describe).toList();
        }
    }

    /** Whether an event at {@code level} whose description contains {@code text} came with a stack trace. */
    public boolean hasStackTrace(Level level, String text) {
        synchronized (appender.list) {
            return appender.list.stream().anyMatch(e -> e.getLevel() == level && describe(e).contains(text)
                    && e.getThrowableProxy() != null && e.getThrowableProxy().getStackTraceElementProxyArray().length > 0);
        }
    }

    private static String describe(ILoggingEvent e) {
        var t = e.getThrowableProxy();
        return e.getFormattedMessage() + (t == null ? "" : " | " + t.getClassName() + ": " + t.getMessage());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
