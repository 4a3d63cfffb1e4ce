package glint.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Drops a connection whose request head (request line and headers) is still incomplete at two checks {@code period}
 * apart, with no request completed in between: a slowloris that sends a byte a second never trips the idle timeout,
 * and Jetty has no deadline of its own for the head. A connection waiting between requests (keep-alive, nothing
 * received) is the idle timeout's business, not this one's. Costs one scheduled task per connection and period.
 */
final class HeadDeadline implements Connection.Listener {
    private final Scheduler scheduler;
    private final long periodMillis;

    HeadDeadline(Scheduler scheduler, Duration period) {
        this.scheduler = scheduler;
        this.periodMillis = period.toMillis();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            schedule(http, -1, false);
        }
    }

    private void schedule(HttpConnection http, long messages, boolean midHead) {
        scheduler.schedule(() -> check(http, messages, midHead), periodMillis, TimeUnit.MILLISECONDS);
    }

    private void check(HttpConnection http, long previousMessages, boolean wasMidHead) {
        if (!http.getEndPoint().isOpen()) {
            return;
        }
        HttpParser parser = http.getParser();
        boolean midHead = parser.inHeaderState() && !parser.isStart();
        long messages = http.getMessagesIn();
        if (midHead && wasMidHead && messages == previousMessages) {
            http.getEndPoint().close(new TimeoutException("request head incomplete after " + periodMillis + " ms"));
            return;
        }
        schedule(http, messages, midHead);
    }
}
