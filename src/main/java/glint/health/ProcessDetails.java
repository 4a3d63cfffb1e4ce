package glint.health;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What oslo's detailed healthcheck tells about the process, in its terms with the JVM's values: the time
 * ({@code now}, Python's {@code str(datetime)}), the runtime's version ({@code python_version}), the platform, the
 * garbage collectors' counts, and a stack trace of every thread ({@code threads}; no {@code greenthreads}).
 */
public record ProcessDetails(String now, String runtimeVersion, String platform, List<String> collectors,
                             List<Long> collections, List<String> threads) {
    private static final DateTimeFormatter PYTHON_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final int MAX_FRAMES = 64;

    public static ProcessDetails now(Clock clock) {
        List<String> collectors = new ArrayList<>();
        List<Long> collections = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collectors.add(gc.getName());
            collections.add(Math.max(0, gc.getCollectionCount()));
        }
        return new ProcessDetails(LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).format(PYTHON_DATETIME),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.vm.version") + ")",
                System.getProperty("os.name") + "-" + System.getProperty("os.version") + "-" + System.getProperty("os.arch"),
                collectors, collections, threadStacks());
    }

    /** One text per live thread: its name and state, then its frames, as {@code jstack} prints them. */
    private static List<String> threadStacks() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StringBuilder b = new StringBuilder();
            b.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            StackTraceElement[] frames = e.getValue();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                b.append("    at ").append(frames[i]).append('\n');
            }
            if (frames.length > MAX_FRAMES) {
                b.append("    ... ").append(frames.length - MAX_FRAMES).append(" more\n");
            }
            out.add(b.toString());
        }
        return out;
    }
}
