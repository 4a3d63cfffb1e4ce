package glint.cache;

import glint.image.DataCache;
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
 * </pre>
 * The data files are written and read by a {@link FileStore} on DIR, so a cached file only ever appears complete
 * (fsync + rename), a crash leaves only temporary files that {@link #recover()} removes, and reads stream mapped
 * windows. Hit counts and last-access times (Glance's {@code hits}, {@code last_accessed}) are kept in memory; after a
 * restart they start again at 0 and the file's modification time.
 */
public final class ImageCache implements DataCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    /** One cached image, with Glance's fields ({@code GET /v2/cache}: {@code cached_images}). */
    public record CachedImage(String imageId, long hits, double lastAccessed, double lastModified, long size) {}

    /** Writes an image's data into the sink it is given (the cache entry being written). */
    @FunctionalInterface
    public interface Source {
        void writeTo(ByteSink sink) throws IOException;
    }

    private record Usage(long hits, double lastAccessed) {}

    private final Path dir;
    private final Path queueDir;
    private final FileStore files;
    private final long maxSize;
    private final Clock clock;
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();

    public ImageCache(Path dir, long maxSize, Clock clock) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        this.queueDir = this.dir.resolve("queue");
        // the cache directory is this node's alone: every leftover found at start is an interrupted write of it
        this.files = new FileStore("cache", this.dir, 0, false, java.time.Duration.ZERO, Clock.systemUTC());
        this.maxSize = maxSize;
        this.clock = clock;
        Files.createDirectories(queueDir);
    }

    /** Start-up: removes entries left incomplete by a crash. Call before serving. */
    public void recover() throws IOException {
        files.cleanup();
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
                Usage u = usage.getOrDefault(id, new Usage(0, modified));
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
    public boolean put(String imageId, Source source, Optional<String> md5) throws IOException {
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
        usage.put(imageId, new Usage(0, clock.millis() / 1000.0));
        dequeue(imageId);
        prune(imageId);
        return true;
    }

    /**
     * Streams bytes of a cached image into {@code sink} and counts a hit. Returns false, having sent nothing, when the
     * image is not cached.
     */
    @Override
    public boolean read(String imageId, long offset, long length, ByteSink sink) throws IOException {
        if (!valid(imageId)) {
            return false;
        }
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
        double now = clock.millis() / 1000.0;
        usage.compute(imageId, (k, u) -> new Usage(u == null ? 1 : u.hits() + 1, now));
        return true;
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
        usage.remove(imageId);
        return Files.deleteIfExists(dir.resolve(imageId));
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
        if (total > maxSize && delete(keep)) {
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
