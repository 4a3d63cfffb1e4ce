package glint.metrics;

import glint.cache.ImageCache;
import glint.image.DataCache;
import glint.image.Image;
import glint.store.ByteSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Meters over Glint's services, read when scraped: the import task pool ({@code glint_import_tasks_queued}: tasks
 * waiting for a worker, still {@code pending}; {@code glint_import_tasks_running}) and the image cache, when it is on
 * ({@code glint_cache_gets_total{result="hit"|"miss"}} for downloads, {@code glint_cache_size_bytes},
 * {@code glint_cache_entries}).
 */
public final class ServiceGauges {
    private ServiceGauges() {}

    /** Gauges over the import task pool. */
    public static void importTasks(MeterRegistry registry, ThreadPoolExecutor pool) {
        Gauge.builder("glint.import.tasks.queued", pool, p -> p.getQueue().size()).strongReference(true)
                .description("Import tasks waiting for a worker of [wsgi] task_pool_threads").register(registry);
        Gauge.builder("glint.import.tasks.running", pool, ThreadPoolExecutor::getActiveCount).strongReference(true)
                .description("Import tasks running").register(registry);
    }

    /**
     * Gauges over the cache's content, and {@code cache} as the downloads' cache, counting their hits and misses.
     * The size is read from the directory at each scrape.
     */
    public static DataCache imageCache(MeterRegistry registry, ImageCache cache) {
        Gauge.builder("glint.cache.size", cache, ImageCache::size).baseUnit("bytes").strongReference(true)
                .description("Bytes of the complete entries of the image cache").register(registry);
        Gauge.builder("glint.cache.entries", cache, c -> c.cached().size()).strongReference(true)
                .description("Images in the image cache").register(registry);
        Counter hits = gets(registry, "hit");
        Counter misses = gets(registry, "miss");
        return new DataCache() {
            @Override
            public boolean read(Image image, long offset, long length, ByteSink sink) throws IOException {
                boolean hit = cache.read(image, offset, length, sink);
                (hit ? hits : misses).increment();
                return hit;
            }

            @Override
            public boolean readThrough(Image image, Source source, ByteSink sink) throws IOException {
                boolean hit = cache.readThrough(image, source, sink);
                (hit ? hits : misses).increment();
                return hit;
            }

            @Override
            public void forget(String imageId) {
                cache.forget(imageId);
            }
        };
    }

    private static Counter gets(MeterRegistry registry, String result) {
        return Counter.builder("glint.cache.gets").tag("result", result)
                .description("Downloads served from the image cache (hit) or not (miss)").register(registry);
    }
}
