package glint.store.swift;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * How often and how long a failed Swift request is tried again: {@code attempts} tries in all, waiting {@code first},
 * then twice as long each time, at most {@code max}. So a failing store answers within a bound
 * ({@code first × (2^(attempts-1) - 1)} at most, plus the requests' own timeouts) instead of hanging or failing at the
 * first 503 of a proxy restart. glance_store tries a Swift request once (swiftclient's own retries, 5 by default, are
 * for connection errors), and a download {@code swift_store_retry_get_count} times (0 by default).
 */
public record Backoff(int attempts, Duration first, Duration max) {
    /** Five tries over about three seconds. */
    public static final Backoff DEFAULT = new Backoff(5, Duration.ofMillis(200), Duration.ofSeconds(2));

    public Backoff {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
    }

    /** The wait before try {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    Duration delayAfter(int attempt) {
        long ms = first.toMillis() << Math.min(20, attempt - 1);
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }

    void pause(int attempt) throws InterruptedIOException {
        try {
            Thread.sleep(delayAfter(attempt).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry a Swift request");
        }
    }
}
