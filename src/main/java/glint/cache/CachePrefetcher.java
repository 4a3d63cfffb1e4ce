package glint.cache;

import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageRepository;
import glint.image.ImageStatus;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker that copies queued images into the {@link ImageCache} (Glance's {@code CacheWorker} and
 * {@code Prefetcher}, glance/api/v2/cached_images.py and glance/image_cache/prefetcher.py): one thread, one image at a
 * time, in queue order. An image that is no longer active, or whose data cannot be read, leaves the queue uncached,
 * as in Glance. Each image waits {@code delay} after being queued ({@code image_cache_prefetch_delay}, default 0).
 */
public final class CachePrefetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachePrefetcher.class);

    private record Job(String imageId, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNanos, ((Job) o).dueNanos);
        }
    }

    private final ImageCache cache;
    private final ImageRepository images;
    private final StoreRegistry stores;
    private final Duration delay;
    private final DelayQueue<Job> jobs = new DelayQueue<>();
    private final Thread thread;

    public CachePrefetcher(ImageCache cache, ImageRepository images, StoreRegistry stores, Duration delay) {
        this.cache = cache;
        this.images = images;
        this.stores = stores;
        this.delay = delay;
        this.thread = new Thread(this::run, "cache-prefetcher");
        this.thread.setDaemon(true);
    }

    /** Starts the worker and hands it the images queued before the last stop. */
    public void start() {
        thread.start();
        cache.queued().forEach(this::submit);
    }

    /** Fetches a queued image once its delay has passed. */
    public void submit(String imageId) {
        jobs.add(new Job(imageId, System.nanoTime() + delay.toNanos()));
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job.imageId().isEmpty()) { // close()
                return;
            }
            try {
                fetch(job.imageId());
            } catch (RuntimeException e) {
                LOG.warn("prefetching image {} into the cache failed", job.imageId(), e);
            }
        }
    }

    /** Glance's {@code fetch_image_into_cache}: only active images with data are cached. */
    void fetch(String imageId) {
        if (!cache.isQueued(imageId)) {
            return; // dequeued (DELETE /v2/cache/{id}, cache clear) before its turn
        }
        Optional<Image> image = images.find(imageId);
        Optional<ImageLocation> location = image.flatMap(i -> i.locations().stream()
                .filter(l -> stores.find(l.storeId()).isPresent()).findFirst());
        try {
            if (image.isEmpty() || image.get().status() != ImageStatus.ACTIVE || location.isEmpty()
                    || image.get().size().isEmpty()) {
                LOG.info("image {} is not active or has no data; removed from the cache queue", imageId);
                cache.dequeue(imageId);
                return;
            }
            BlobStore store = stores.find(location.get().storeId()).orElseThrow();
            long size = image.get().size().get();
            cache.put(imageId, sink -> store.read(location.get().key(), 0, size, sink), image.get().checksum());
            if (images.find(imageId).filter(i -> i.status() == ImageStatus.ACTIVE).isEmpty()) {
                cache.delete(imageId); // deleted or deactivated while it was copied: its forget() came too early
                return;
            }
            LOG.info("image {} cached ({} bytes)", imageId, size);
        } catch (IOException e) {
            LOG.warn("could not cache image {}: {}; removed from the cache queue", imageId, e.toString());
            try {
                cache.dequeue(imageId);
            } catch (IOException ignored) {
                // the marker stays; the next start tries again
            }
        }
    }

    @Override
    public void close() {
        jobs.add(new Job("", System.nanoTime()));
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
