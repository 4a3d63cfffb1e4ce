package glint.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Bounded polling of observable state with back-off (1 ms doubling to 200 ms): no sleeping as synchronisation. */
public final class Poll {
    private Poll() {}

    /** The first value of {@code probe} that {@code done} accepts, or the last one seen when {@code within} ran out. */
    public static <T> T until(Duration within, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = 1_000_000L;
        while (true) {
            T value = probe.get();
            if (done.test(value) || System.nanoTime() - deadline >= 0) {
                return value;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 200_000_000L);
        }
    }
}
