package glint.notify.messaging;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Says that notifications were dropped, and how many, at most once every {@link #EVERY} (a full buffer drops many). */
final class DropLog {
    static final Duration EVERY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(DropLog.class);

    private final String what;
    private long unreported;
    private long total;
    private long lastReport = Long.MIN_VALUE;

    /** @param what the reason, as it ends the log line */
    DropLog(String what) {
        this.what = what;
    }

    synchronized void dropped(int n, String eventType) {
        unreported += n;
        total += n;
        long now = System.nanoTime();
        if (lastReport == Long.MIN_VALUE || now - lastReport >= EVERY.toNanos()) {
            LOG.warn("notifications dropped: {} since the last report ({} in all; the last one {}): {}", unreported, total,
                    eventType, what);
            unreported = 0;
            lastReport = now;
        }
    }
}
