package glint.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that only polling can observe (a service with no notification: what an S3 service holds),
 * backing off from 1 ms to 50 ms between looks so that a wait does not take a core of a small machine. Fails with
 * {@code what} after {@code limit}.
 */
public final class Poll {
    private Poll() {}

    public static void until(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = Duration.ofMillis(1).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, Duration.ofMillis(50).toNanos());
        }
    }
}
