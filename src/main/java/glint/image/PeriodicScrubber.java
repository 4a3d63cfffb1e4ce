package glint.image;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process scrubber: a {@link Scrubber} run every {@code wakeup_time} (glance-scrubber's daemon mode), on one
 * daemon thread. {@link #close()} cancels a run in progress (the thread is interrupted and the run stops after the
 * images it is scrubbing) and waits for it.
 */
public final class PeriodicScrubber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicScrubber.class);

    private final Scrubber scrubber;
    private final ScheduledExecutorService timer;

    public PeriodicScrubber(Scrubber scrubber, Duration every) {
        this.scrubber = scrubber;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scrubber");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::run, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            int n = scrubber.scrubOnce();
            if (n > 0) {
                LOG.info("scrubber: {} image(s) scrubbed", n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a database that is down: the next wake-up tries again
            LOG.warn("scrubber run failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("scrubber still running 30 s after shutdown was asked");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
