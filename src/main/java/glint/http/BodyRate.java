package glint.http;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A request whose body must arrive at {@code minRate} bytes per second on average, counted from the handler's first
 * read, once {@link #GRACE} has passed: a slower body reads as a failure (a {@link TimeoutException}), which the
 * body's readers report as the client's fault. Jetty's own {@code MinimumDataRateHandler} counts the bytes of all
 * requests together, not this request's.
 */
final class BodyRate extends Request.Wrapper {
    static final Duration GRACE = Duration.ofSeconds(10);
    private final long minRate;
    private long firstRead;
    private long bytes;
    private boolean started;

    BodyRate(Request request, long minRate) {
        super(request);
        this.minRate = minRate;
    }

    /** Whether {@code bytes} moved in {@code elapsedNanos} fall below {@code minRate} bytes/s, once {@link #GRACE} has passed. */
    static boolean belowRate(long bytes, long elapsedNanos, long minRate) {
        return minRate > 0 && elapsedNanos > GRACE.toNanos() && bytes * 1_000_000_000.0 / elapsedNanos < minRate;
    }

    @Override
    public Content.Chunk read() {
        long now = System.nanoTime();
        if (!started) {
            started = true;
            firstRead = now;
        }
        long elapsed = now - firstRead;
        if (belowRate(bytes, elapsed, minRate)) {
            return Content.Chunk.from(new TimeoutException("request body arrives at less than " + minRate
                    + " bytes/s (" + bytes + " bytes in " + elapsed / 1_000_000 + " ms)"));
        }
        Content.Chunk chunk = super.read();
        if (chunk != null) {
            bytes += chunk.remaining();
        }
        return chunk;
    }
}
