package glint.metrics;

import glint.http.RequestListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code glint_http_requests_seconds}: every request answered, by method, route template and status, as a histogram
 * with fixed buckets (Prometheus's classic ones, then up to 10 minutes for image data), so that its series stay few:
 * the route is the template ({@code /v2/images/{image_id}}), never the path, and a method outside HTTP's own is
 * {@code other}.
 */
public final class RequestMetrics implements RequestListener {
    static final String NAME = "glint.http.requests";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(600)};

    private record Key(String method, String route, int status) {}

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void answered(String method, String route, int status, long nanos) {
        Key key = new Key(METHODS.contains(method) ? method : "other", route, status);
        timers.computeIfAbsent(key, this::timer).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(Key key) {
        return Timer.builder(NAME)
                .description("HTTP requests answered, by method, route template and status")
                .tag("method", key.method())
                .tag("route", key.route())
                .tag("status", Integer.toString(key.status()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
