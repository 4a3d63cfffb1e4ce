package glint.image;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's scrubber (glance/scrubber.py): removes the data of images deleted with {@code delayed_delete} once
 * {@code scrub_time} has passed since their deletion, then they become {@code deleted}. Each image is claimed with a
 * compare-and-set on its status ({@link ImageRepository#claimPendingDelete}), which journals its data for this node in
 * the same transaction: several nodes (or {@code glint scrub} beside a running server) may scrub one database, each
 * image is scrubbed once, and a crash in the middle leaves journal entries that this node's next start removes
 * ({@link ImageDataService#recover()}). Up to {@code scrub_pool_size} images are scrubbed at a time.
 */
public final class Scrubber {
    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
    private static final int BATCH = 100;

    private final ImageRepository images;
    private final DataRemoval removal;
    private final String node;
    private final Duration scrubTime;
    private final int poolSize;
    private final Clock clock;

    public Scrubber(ImageRepository images, DataRemoval removal, String node, Duration scrubTime, int poolSize, Clock clock) {
        this.images = images;
        this.removal = removal;
        this.node = node;
        this.scrubTime = scrubTime;
        this.poolSize = Math.max(1, poolSize);
        this.clock = clock;
    }

    /**
     * One run: scrubs every image whose delay has passed; returns how many this call scrubbed (images another node
     * claimed first are not counted).
     *
     * @throws InterruptedException when the run is cancelled (shutdown); images already claimed are finished or,
     *     if cut off, their data is removed at this node's next start
     */
    public int scrubOnce() throws InterruptedException {
        AtomicInteger scrubbed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(poolSize, r -> {
            Thread t = new Thread(r, "scrub-" + Integer.toHexString(r.hashCode()));
            t.setDaemon(true);
            return t;
        });
        try {
            while (true) {
                List<String> due = images.pendingDeletes(clock.instant().minus(scrubTime), BATCH);
                List<Future<?>> running = new ArrayList<>();
                for (String id : due) {
                    running.add(pool.submit(() -> {
                        if (scrub(id)) {
                            scrubbed.incrementAndGet();
                        }
                    }));
                }
                int failed = 0;
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        failed++;
                        LOG.warn("scrubbing failed", e.getCause());
                    }
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                // a full batch may have more behind it; a claim lost to another node leaves the row for that node
                if (due.size() < BATCH || failed == due.size()) {
                    return scrubbed.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Claims one image and removes its data; false when another node claimed it first (or it was restored). */
    private boolean scrub(String id) {
        Optional<List<PendingData>> claimed = images.claimPendingDelete(id, node);
        if (claimed.isEmpty()) {
            return false;
        }
        claimed.get().forEach(removal::remove);
        LOG.info("image {} scrubbed: {} location(s) of its data removed", id, claimed.get().size());
        return true;
    }

    /** {@code glance-scrubber --restore ID}: a pending_delete image back to active, with its data and metadata. */
    public boolean restore(String id) {
        return images.restorePendingDelete(id);
    }
}
