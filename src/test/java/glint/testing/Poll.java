package glint.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling of observable state that only polling can observe, backing off from 1 ms (doubling to 200 ms)
 * between looks so that a wait does not take a core of a small machine: no sleeping as synchronisation.
 */
public final class Poll {
    private static final long FIRST_PAUSE = Duration.ofMillis(1).toNanos();
    private static final long LONGEST_PAUSE = Duration.ofMillis(200).toNanos();

    private Poll() {}

    /** The first value of {@code probe} that {@code done} accepts, or the last one seen when {@code within} ran out. */
    public static <T> T until(Duration within, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = FIRST_PAUSE;
        while (true) {
            T value = probe.get();
            if (done.test(value) || System.nanoTime() - deadline >= 0) {
                return value;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, LONGEST_PAUSE);
        }
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@code limit}. */
    public static void until(String what, Duration limit, BooleanSupplier condition) {
        if (!until(limit, condition::getAsBoolean, Boolean::booleanValue)) {
            throw new AssertionError("not within " + limit + ": " + what);
        }
    }
}
