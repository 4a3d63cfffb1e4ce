package glint.metrics;

import glint.config.GlintConfig.MetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Glint's meters, through Micrometer. With {@code [metrics] enabled} a Prometheus registry, with the JVM's own
 * meters (memory, GC, threads, class loading, CPU, uptime, file descriptors) bound to it; otherwise a registry with
 * nothing behind it, whose meters cost next to nothing, so the code that counts need not ask whether anyone looks.
 */
public final class Metrics implements AutoCloseable {
    /** Prometheus's text format, what a scraper gets unless it asks for OpenMetrics. */
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** An exposition: its content type and body. */
    public record Scrape(String contentType, byte[] body) {}

    private final MeterRegistry registry;
    private final Optional<PrometheusMeterRegistry> prometheus;
    private final Optional<JvmGcMetrics> gc;

    private Metrics(MeterRegistry registry, Optional<PrometheusMeterRegistry> prometheus, Optional<JvmGcMetrics> gc) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.gc = gc;
    }

    public static Metrics from(MetricsConfig config) {
        return config.enabled() ? prometheus() : disabled();
    }

    /** Meters that go nowhere. */
    public static Metrics disabled() {
        return new Metrics(new CompositeMeterRegistry(), Optional.empty(), Optional.empty());
    }

    /** A Prometheus registry with the JVM's meters. */
    public static Metrics prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return new Metrics(registry, Optional.of(registry), Optional.of(gc));
    }

    public MeterRegistry registry() {
        return registry;
    }

    public boolean enabled() {
        return prometheus.isPresent();
    }

    /** Every meter, in OpenMetrics when {@code accept} asks for it, else in Prometheus's text format. */
    public Scrape scrape(String accept) {
        PrometheusMeterRegistry p = prometheus.orElseThrow(() -> new IllegalStateException("[metrics] enabled = false"));
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_FORMAT : TEXT_FORMAT;
        return new Scrape(type, p.scrape(type).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        gc.ifPresent(JvmGcMetrics::close);
        registry.close();
    }
}
