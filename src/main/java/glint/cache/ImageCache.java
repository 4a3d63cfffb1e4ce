package glint.cache;

import glint.auth.RequestIds;
import glint.image.DataCache;
import glint.image.Image;
import glint.store.BlobExistsException;
import glint.store.BlobNotFoundException;
import glint.store.BlobWriter;
import glint.store.ByteSink;
import glint.store.FileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's local copy of image data, in Glance's image cache layout ({@code image_cache_dir}):
 * <pre>
 *   DIR/&lt;image-id&gt;        a complete cached image
 *   DIR/.&lt;image-id&gt;.….partial  one being written (temporary file, renamed when complete; removed at start)
 *   DIR/queue/&lt;image-id&gt;  an image queued for prefetching (empty marker; its mtime orders the queue)
 *   DIR/meta/&lt;image-id&gt;   hits, last access and verification of an entry ({@link CacheUsage})
 * </pre>
 * A cached file only ever appears complete (fsync + rename) and a crash leaves only temporary files that
 * {@link #recover()} removes; reads stream mapped windows. Entries come from the prefetch worker ({@link #put}) or from
 * the first download of an image ({@link #readThrough}: one read of the store however many download it at once,
 * {@link CacheFill}). Both check the bytes against the image's checksum before the entry appears; an entry found
 * without that record (written by an older Glint, or its record lost) is checked on its first use and dropped if it
 * does not match. Hit counts and last-access times (Glance's {@code hits}, {@code last_accessed}) survive restarts.
 */
public final class ImageCache implements DataCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private static final String UNVERIFIABLE = "none";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    /** One cached image, with Glance's fields ({@code GET /v2/cache}: {@code cached_images}). */
    public record CachedImage(String imageId, long hits, double lastAccessed, double lastModified, long size) {}

    /** Writes an image's data into the sink it is given (the cache entry being written). */
    @FunctionalInterface
    public interface Filler {
        void writeTo(ByteSink sink) throws IOException;
    }

    private final Path dir;
    private final Path queueDir;
    private final FileStore files;
    private final long maxSize;
    private final Clock clock;
    private final CacheUsage usage;
    private final Map<String, CacheFill> fills = new ConcurrentHashMap<>();
    private final Map<String, Object> verifying = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService fillThreads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cache-fill");
        t.setDaemon(true);
        return t;
    });

    public ImageCache(Path dir, long maxSize, Clock clock) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        this.queueDir = this.dir.resolve("queue");
        // the cache directory is this node's alone: every leftover found at start is an interrupted write of it
        this.files = new FileStore("cache", this.dir, 0, false, java.time.Duration.ZERO, Clock.systemUTC());
        this.maxSize = maxSize;
        this.clock = clock;
        Files.createDirectories(queueDir);
        this.usage = new CacheUsage(this.dir.resolve("meta"));
    }

    /** Start-up: removes entries left incomplete by a crash. Call before serving. */
    public void recover() throws IOException {
        files.cleanup();
        usage.recover();
    }

    /** Stops the fills under way (their temporary files are removed at the next start). */
    public void close() {
        fillThreads.shutdownNow();
    }

    public Path directory() {
        return dir;
    }

    /** The complete entries, ordered by image id as Glance's sqlite driver lists them. */
    public List<CachedImage> cached() {
        List<CachedImage> out = new ArrayList<>();
        for (Path f : entries()) {
            String id = f.getFileName().toString();
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                double modified = a.lastModifiedTime().toMillis() / 1000.0;
                CacheUsage.Usage u = usage.get(id).orElse(new CacheUsage.Usage(0, modified, Optional.empty()));
                out.add(new CachedImage(id, u.hits(), u.lastAccessed(), modified, a.size()));
            } catch (NoSuchFileException e) {
                // removed meanwhile
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.sort(Comparator.comparing(CachedImage::imageId));
        return out;
    }

    /** Image ids waiting to be prefetched, oldest first (Glance: sorted by the time they were queued). */
    public List<String> queued() {
        record Marker(long mtime, String id) {}
        List<Marker> markers = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(queueDir)) {
            for (Path f : ds) {
                try {
                    markers.add(new Marker(Files.getLastModifiedTime(f).toMillis(), f.getFileName().toString()));
                } catch (NoSuchFileException e) {
                    // dequeued meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        markers.sort(Comparator.comparingLong(Marker::mtime).thenComparing(Marker::id));
        return markers.stream().map(Marker::id).toList();
    }

    public boolean isCached(String imageId) {
        return valid(imageId) && Files.isRegularFile(dir.resolve(imageId));
    }

    public boolean isQueued(String imageId) {
        return valid(imageId) && Files.exists(queueDir.resolve(imageId));
    }

    /** Glance's {@code queue_image}: false (and nothing changes) when the image is already cached or queued. */
    public boolean queue(String imageId) throws IOException {
        requireValid(imageId);
        if (isCached(imageId)) {
            return false;
        }
        try {
            Files.createFile(queueDir.resolve(imageId));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Writes an image into the cache: the data goes to a temporary file, is checked against {@code md5} when given,
     * and only then appears under the image's id. The queue marker goes once the entry is complete. Returns false if
     * the image was cached already.
     *
     * @throws IOException if the source or the disk fails, or the data does not match {@code md5}; nothing is cached then
     */
    public boolean put(String imageId, Filler source, Optional<String> md5) throws IOException {
        requireValid(imageId);
        MessageDigest digest = md5Digest();
        try (BlobWriter writer = files.create(imageId)) {
            source.writeTo(buffer -> {
                ByteBuffer copy = buffer.duplicate();
                digest.update(copy);
                writer.write(buffer);
            });
            String actual = HexFormat.of().formatHex(digest.digest());
            if (md5.isPresent() && !md5.get().equalsIgnoreCase(actual)) {
                throw new IOException("data of image " + imageId + " has checksum " + actual + ", expected " + md5.get());
            }
            writer.commit();
        } catch (BlobExistsException e) {
            dequeue(imageId);
            return false;
        }
        usage.verified(imageId, md5.orElse(UNVERIFIABLE), now());
        dequeue(imageId);
        prune(imageId);
        return true;
    }

    /**
     * Streams bytes of a cached image into {@code sink} and counts a hit. Returns false, having sent nothing, when the
     * image is not cached, or its entry failed the check against the image's checksum (then it is removed).
     */
    @Override
    public boolean read(Image image, long offset, long length, ByteSink sink) throws IOException {
        String imageId = image.id();
        if (!valid(imageId) || !Files.isRegularFile(dir.resolve(imageId)) || !verified(image)) {
            return false;
        }
        // counted when the entry is opened, as Glance's drivers do in open_for_read: on record before the last byte
        usage.hit(imageId, now());
        try {
            files.read(location(imageId), offset, length, sink);
        } catch (BlobNotFoundException e) {
            return false;
        } catch (java.io.EOFException e) {
            // shorter than the image (damaged): nothing was sent; drop it and let the store serve
            LOG.warn("cached copy of image {} is damaged ({}); removing it", imageId, e.getMessage());
            forget(imageId);
            return false;
        }
        return true;
    }

    /**
     * The whole image into {@code sink}: from its entry (true), else from {@code source} while the cache fills — one
     * fill per image, which every concurrent download of it reads behind ({@link CacheFill}). Images larger than
     * {@code image_cache_max_size}, or empty, are read from {@code source} and not cached.
     */
    @Override
    public boolean readThrough(Image image, Source source, ByteSink sink) throws IOException {
        long size = image.size().orElseThrow();
        if (read(image, 0, size, sink)) {
            return true;
        }
        if (size == 0 || size > maxSize || !valid(image.id())) {
            source.read(0, size, sink);
            return false;
        }
        CacheFill fill = fills.computeIfAbsent(image.id(), id -> startFill(image, source));
        if (fill == null) {
            source.read(0, size, sink); // the cache's disk refused the entry: logged, served from the store
            return false;
        }
        fill.streamTo(sink, source);
        return false;
    }

    /** A fill started on its own thread; null (nothing to share) when its temporary file cannot be created. */
    private CacheFill startFill(Image image, Source source) {
        String id = image.id();
        CacheFill fill;
        try {
            fill = new CacheFill(id, image.size().orElseThrow(),
                    dir.resolve("." + id + "." + java.util.UUID.randomUUID() + ".partial"), dir.resolve(id));
        } catch (IOException e) {
            LOG.warn("could not cache image {}: {}", id, e.toString());
            return null;
        }
        // the fill reads the store for the download that started it: its calls carry that request's id
        java.util.Optional<String> requestId = RequestIds.current();
        fillThreads.execute(() -> {
            try (RequestIds.Scope bound = RequestIds.bind(requestId)) {
                fill.run(source, image.checksum(), () -> {
                    usage.verified(id, image.checksum().orElse(UNVERIFIABLE), now());
                    LOG.info("image {} cached by its first download ({} bytes)", id, image.size().orElseThrow());
                });
                fill.cacheFailure().ifPresent(e -> LOG.warn("could not cache image {}: {}; its downloads continue from "
                        + "the store", id, e.toString()));
                if (fill.forgotten()) {
                    delete(id); // deleted, or removed from the cache, while it filled
                } else if (fill.cacheFailure().isEmpty() && Files.isRegularFile(dir.resolve(id))) {
                    dequeue(id);
                    prune(id);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("caching image {} failed", id, e);
            } finally {
                fills.remove(id, fill);
            }
        });
        return fill;
    }

    /**
     * Whether the entry may be served: it was checked against the image's checksum when written, or is now (once per
     * entry, whoever asks first). An entry that does not match is removed.
     */
    private boolean verified(Image image) throws IOException {
        String id = image.id();
        if (usage.get(id).flatMap(CacheUsage.Usage::verified).isPresent()) {
            return true;
        }
        synchronized (verifying.computeIfAbsent(id, k -> new Object())) {
            try {
                if (usage.get(id).flatMap(CacheUsage.Usage::verified).isPresent()) {
                    return true;
                }
                if (image.checksum().isEmpty()) {
                    usage.verified(id, UNVERIFIABLE, now());
                    return true;
                }
                MessageDigest digest = md5Digest();
                try {
                    files.read(location(id), 0, Files.size(dir.resolve(id)), b -> digest.update(b));
                } catch (BlobNotFoundException | NoSuchFileException e) {
                    return false;
                }
                String actual = HexFormat.of().formatHex(digest.digest());
                if (!actual.equalsIgnoreCase(image.checksum().get())) {
                    LOG.warn("cached copy of image {} has MD5 {}, its checksum is {}: removed from the cache", id, actual,
                            image.checksum().get());
                    delete(id);
                    return false;
                }
                usage.verified(id, actual, now());
                return true;
            } finally {
                verifying.remove(id);
            }
        }
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    /** The image's data is gone or no longer valid (image deleted): drops its entry and its queue marker. */
    @Override
    public void forget(String imageId) {
        try {
            delete(imageId);
            dequeue(imageId);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove image {} from the cache at {}", imageId, dir, e);
        }
    }

    /** Removes a cached entry; false if there was none. */
    public boolean delete(String imageId) throws IOException {
        if (!valid(imageId)) {
            return false;
        }
        CacheFill fill = fills.get(imageId);
        if (fill != null) {
            fill.forget();
        }
        boolean removed = Files.deleteIfExists(dir.resolve(imageId));
        usage.remove(imageId);
        return removed;
    }

    /** Removes a queue marker; false if there was none. */
    public boolean dequeue(String imageId) throws IOException {
        return valid(imageId) && Files.deleteIfExists(queueDir.resolve(imageId));
    }

    /** Removes every cached entry; returns how many. */
    public int clearCached() throws IOException {
        int n = 0;
        for (Path f : entries()) {
            if (delete(f.getFileName().toString())) {
                n++;
            }
        }
        return n;
    }

    /** Empties the queue; returns how many ids it held. */
    public int clearQueued() throws IOException {
        int n = 0;
        for (String id : queued()) {
            if (dequeue(id)) {
                n++;
            }
        }
        return n;
    }

    /** Total bytes of the complete entries. */
    public long size() {
        return cached().stream().mapToLong(CachedImage::size).sum();
    }

    /** {@code glint cache prune} (glance-cache-prune): the cache within {@code image_cache_max_size}; how many went. */
    public int prune() throws IOException {
        int before = cached().size();
        prune("");
        return before - cached().size();
    }

    /** What {@link #clean} removed. */
    public record Cleaned(int stalled, int unwanted, int records) {}

    /**
     * {@code glint cache clean} (glance-cache-cleaner): removes incomplete entries not written to for {@code stallTime}
     * ({@code image_cache_stall_time}: a fill of a crashed process, or one stuck), entries of images that are no longer
     * {@code wanted} (deleted or not active), and records of entries that are gone.
     */
    public Cleaned clean(java.time.Duration stallTime, java.util.function.Predicate<String> wanted) throws IOException {
        int stalled = 0;
        long staleBefore = clock.millis() - stallTime.toMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.partial")) {
            for (Path f : ds) {
                try {
                    if (Files.getLastModifiedTime(f).toMillis() < staleBefore && Files.deleteIfExists(f)) {
                        stalled++;
                    }
                } catch (NoSuchFileException e) {
                    // committed or removed meanwhile
                }
            }
        }
        int unwanted = 0;
        for (CachedImage c : cached()) {
            if (!wanted.test(c.imageId()) && delete(c.imageId())) {
                unwanted++;
            }
        }
        int records = 0;
        for (String id : usage.ids()) {
            if (!Files.exists(dir.resolve(id))) {
                usage.remove(id);
                records++;
            }
        }
        return new Cleaned(stalled, unwanted, records);
    }

    /**
     * Keeps the cache within {@code image_cache_max_size}: removes the least recently used entries other than
     * {@code keep} (Glance's pruner does the same, least recently accessed first, run by cron there).
     */
    private void prune(String keep) throws IOException {
        List<CachedImage> all = new ArrayList<>(cached());
        long total = all.stream().mapToLong(CachedImage::size).sum();
        all.sort(Comparator.comparingDouble(CachedImage::lastAccessed));
        for (CachedImage c : all) {
            if (total <= maxSize) {
                return;
            }
            if (!c.imageId().equals(keep) && delete(c.imageId())) {
                LOG.info("pruned image {} ({} bytes) from the cache: over image_cache_max_size {}", c.imageId(), c.size(),
                        maxSize);
                total -= c.size();
            }
        }
        if (total > maxSize && !keep.isEmpty() && delete(keep)) {
            LOG.info("image {} alone is larger than image_cache_max_size {}; not kept in the cache", keep, maxSize);
        }
    }

    private List<Path> entries() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".") && valid(name) && Files.isRegularFile(f)) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private String location(String imageId) {
        return dir.resolve(imageId).toUri().toString();
    }

    private static boolean valid(String imageId) {
        return imageId != null && NAME.matcher(imageId).matches();
    }

    private static void requireValid(String imageId) {
        if (!valid(imageId)) {
            throw new IllegalArgumentException("not a valid image id for the cache: '" + imageId + "'");
        }
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
