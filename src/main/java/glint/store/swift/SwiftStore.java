package glint.store.swift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.auth.RequestIds;
import glint.store.BlobExistsException;
import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.store.ByteSink;
import glint.store.StoreUnavailableException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as objects of one container of an OpenStack Swift account, with glance_store's swift options
 * ({@link SwiftOptions}) and layout ({@link SwiftLayout}), over plain HTTP with a Keystone token
 * ({@link SwiftConnection}). Writes stream ({@link SwiftWriter}): small blobs in one PUT at commit, larger ones as
 * segments and a Dynamic Large Object manifest; memory is a head buffer per open write, from a pool bounded by the heap,
 * and a few pieces in flight, whatever the size. Reads are ranged GETs streamed to the sink; a read whose connection
 * breaks resumes where it stopped, if the object is still the same one. Temporary failures (500, 502, 503, 504,
 * timeouts, refused connections) are tried again with {@link Backoff}, then fail with a
 * {@link glint.store.StoreUnavailableException}.
 */
public final class SwiftStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Read buffer: as Jetty's response buffers. */
    static final int READ_BUFFER = 256 * 1024;
    /** The most a head buffer holds: blobs up to this size (and below the large-object size) are one object. */
    static final int MAX_HEAD = 8 << 20;
    /** How long to wait to connect, and for an answer's headers. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String id;
    private final SwiftOptions options;
    private final SwiftConnection swift;
    private final SwiftLayout layout;
    private final BufferPool heads;
    private final Duration staleAfter;
    private final Clock clock;
    private final Backoff backoff;
    /** Objects of this process's open writers, which delete and cleanup leave alone. */
    private final Set<String> openWrites = ConcurrentHashMap.newKeySet();
    private volatile boolean containerExists;

    public SwiftStore(String id, SwiftOptions options) {
        this(id, options, STALE_AFTER, Clock.systemUTC(), Backoff.DEFAULT, TIMEOUT);
    }

    /**
     * @param staleAfter the age bound of {@link #cleanup()}, measured on {@code clock} against Swift's times
     * @param backoff how temporary failures are tried again
     * @param timeout how long to wait to connect, and for an answer's headers
     */
    public SwiftStore(String id, SwiftOptions options, Duration staleAfter, Clock clock, Backoff backoff, Duration timeout) {
        this.id = id;
        this.options = options;
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.backoff = backoff;
        this.swift = new SwiftConnection(id, options, backoff, timeout, clock);
        this.layout = new SwiftLayout(options);
        int head = headSize(options);
        long byHeap = Runtime.getRuntime().maxMemory() / 8 / head;
        this.heads = new BufferPool(head, (int) Math.max(4, Math.min(256, byHeap)));
    }

    /** The head buffer: what a blob may be and still go up in one PUT. */
    static int headSize(SwiftOptions o) {
        return (int) Math.max(1, Math.min(MAX_HEAD, Math.min(o.largeObjectSize(), o.chunkSize())));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "swift";
    }

    @Override
    public boolean serves(String location) {
        return layout.objectOf(location) != null;
    }

    /** glance_store's swift sizes, in bytes, and the container. */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("swift_store_container", options.container());
        p.put("swift_store_large_object_size", options.largeObjectSize());
        p.put("swift_store_large_object_chunk_size", options.chunkSize());
        return p;
    }

    public SwiftOptions options() {
        return options;
    }

    /** The head buffers of all this store's writes: {@link BufferPool#peakInUse()} is the memory they took. */
    public BufferPool headBuffers() {
        return heads;
    }

    @Override
    public String describe() {
        return "swift (" + layout.location("") + ", Keystone " + options.identityV3() + " as " + options.project() + ":"
                + options.user() + ")";
    }

    @Override
    public BlobWriter create(String imageId) throws IOException {
        String object = SwiftLayout.object(imageId);
        ensureContainer();
        if (head(object) != null) { // glance_store: Duplicate ("Swift already has an image at this location")
            throw new BlobExistsException(layout.location(object));
        }
        deleteSegmentsOfFailedWrites(object); // the image is saving through this write only: no other write is live
        // the writer's requests carry this request's id, whichever thread writes (the upload pipeline's)
        return new SwiftWriter(swift.forRequest(RequestIds.current()), layout, object, heads, openWrites);
    }

    /** The container, checked before the first write and created then if {@code swift_store_create_container_on_put}. */
    private void ensureContainer() throws IOException {
        if (containerExists) {
            return;
        }
        synchronized (this) {
            if (containerExists) {
                return;
            }
            String path = SwiftConnection.path(container(), null);
            HttpResponse<byte[]> r = swift.send("HEAD", path, Map.of());
            if (r.statusCode() == 404) {
                if (!options.createContainerOnPut()) {
                    throw new IOException("The container " + options.container() + " does not exist in Swift. Please set "
                            + "the swift_store_create_container_on_put option to add container to Swift automatically.");
                }
                r = swift.send("PUT", path, Map.of());
                if (r.statusCode() != 201 && r.statusCode() != 202) {
                    throw SwiftConnection.failure("Failed to add container " + options.container() + " to Swift", r);
                }
            } else if (r.statusCode() / 100 != 2) {
                throw SwiftConnection.failure("looking up the container " + options.container(), r);
            }
            containerExists = true;
        }
    }

    private String container() {
        return options.container();
    }

    static String quote(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The object's headers; null if there is none (or no container). */
    private HttpResponse<byte[]> head(String object) throws IOException {
        HttpResponse<byte[]> r = swift.send("HEAD", SwiftConnection.path(container(), object), Map.of());
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() / 100 != 2) {
            throw SwiftConnection.failure("looking up " + layout.location(object), r);
        }
        return r;
    }

    private String objectOf(String location) throws BlobNotFoundException {
        String object = layout.objectOf(location);
        if (object == null) {
            throw new BlobNotFoundException(location);
        }
        return object;
    }

    @Override
    public long size(String location) throws IOException {
        HttpResponse<byte[]> head = head(objectOf(location));
        if (head == null) {
            throw new BlobNotFoundException(location);
        }
        return head.headers().firstValueAsLong("Content-Length").orElse(0);
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        String object = objectOf(location);
        HttpResponse<byte[]> head = head(object);
        if (head == null) {
            throw new BlobNotFoundException(location);
        }
        long size = head.headers().firstValueAsLong("Content-Length").orElse(0);
        if (offset > size || length > size - offset) {
            throw new EOFException(location + " has " + size + " bytes, asked for " + length + " from " + offset);
        }
        String version = head.headers().firstValue("X-Timestamp").orElse("");
        long done = 0;
        for (int attempt = 1; done < length; attempt++) {
            try {
                done += readFrom(location, object, offset + done, length - done, version, sink);
            } catch (ResumableReadException e) {
                done += e.delivered;
                if (attempt >= backoff.attempts()) {
                    throw new StoreUnavailableException("reading " + location + " failed after " + attempt + " tries: " + e.getCause(),
                            e.getCause());
                }
                LOG.warn("swift: reading {} broke after {} of {} bytes ({}); resuming", location, done, length, e.getCause().toString());
                backoff.pause(attempt);
            }
        }
    }

    /** A read broke after {@code delivered} bytes went to the sink, and can resume after them. */
    private static final class ResumableReadException extends IOException {
        final long delivered;

        ResumableReadException(long delivered, IOException cause) {
            super(cause);
            this.delivered = delivered;
        }
    }

    /** Bytes {@code [offset, offset + length)} of the object as it was at {@code version}, to the sink. */
    private long readFrom(String location, String object, long offset, long length, String version, ByteSink sink)
            throws IOException {
        HttpResponse<InputStream> r = swift.send("GET", SwiftConnection.path(container(), object),
                Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404 || r.statusCode() == 416) {
                throw new BlobNotFoundException(location);
            }
            if (r.statusCode() != 206 && !(r.statusCode() == 200 && offset == 0)) {
                throw SwiftConnection.TEMPORARY.contains(r.statusCode())
                        ? new StoreUnavailableException("reading " + location + ": Swift answered " + r.statusCode(), null)
                        : new SwiftException(r.statusCode(), "reading " + location + ": Swift answered " + r.statusCode());
            }
            if (!version.equals(r.headers().firstValue("X-Timestamp").orElse(""))) {
                throw new BlobNotFoundException(location); // deleted and stored again meanwhile: not the bytes asked for
            }
            long answered = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (answered != length) {
                // a large object whose segments are being deleted lists fewer of them
                throw new IOException("reading " + location + ": Swift answered " + answered + " bytes, not " + length
                        + " (the object is being deleted?)");
            }
            byte[] buffer = new byte[(int) Math.min(READ_BUFFER, length)];
            long left = length;
            while (left > 0) {
                int n;
                try {
                    n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, left));
                } catch (IOException e) {
                    throw new ResumableReadException(length - left, e);
                }
                if (n == 0) {
                    // Swift ends a large object's answer early when a segment disappears under it: not resumable
                    throw new EOFException(location + " ended " + left + " bytes early");
                }
                sink.write(ByteBuffer.wrap(buffer, 0, n));
                left -= n;
            }
            return length;
        }
    }

    /**
     * Removes the blob (the object, or the manifest and then its segments) and the segments of an interrupted write
     * to it, unless a write to it is open in this process. A read under way then fails or completes; it never gets
     * other bytes (a large object's answer ends early when a segment goes).
     */
    @Override
    public void delete(String location) throws IOException {
        String object = layout.objectOf(location);
        if (object == null) {
            return; // not ours, so nothing of ours to delete
        }
        HttpResponse<byte[]> r = swift.send("DELETE", SwiftConnection.path(container(), object), Map.of());
        if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
            throw SwiftConnection.failure("deleting " + location, r);
        }
        deleteSegmentsOfFailedWrites(object);
    }

    /**
     * Deletes the segments of {@code object} unless this process is writing it: what a write left that failed while
     * Swift could not be told to delete them (it was down). They must go before a new write of the object: its
     * manifest (a DLO) would take every segment of the prefix, the old ones too.
     */
    private void deleteSegmentsOfFailedWrites(String object) throws IOException {
        if (openWrites.contains(object)) {
            return;
        }
        for (String name : listNames(swift, options.container(), object + "-")) {
            if (object.equals(SwiftLayout.segmentOwner(name))) {
                deleteObject(swift, options.container(), name);
            }
        }
    }

    /**
     * Deletes the segments of writes that are not this process's, have no manifest, and made no progress for the age
     * bound (the newest segment is older): a live write of another node stores a segment every
     * {@code swift_store_large_object_chunk_size} bytes.
     */
    @Override
    public void cleanup() throws IOException {
        Instant staleBefore = clock.instant().minus(staleAfter);
        Set<String> objects = new HashSet<>();
        Map<String, List<String>> segments = new HashMap<>();
        Map<String, Instant> newest = new HashMap<>();
        for (JsonNode entry : list(swift, options.container(), "")) {
            String name = entry.path("name").asText();
            String owner = SwiftLayout.segmentOwner(name);
            if (owner == null) {
                objects.add(name);
                continue;
            }
            segments.computeIfAbsent(owner, k -> new ArrayList<>()).add(name);
            Instant modified = LocalDateTime.parse(entry.path("last_modified").asText()).toInstant(ZoneOffset.UTC);
            newest.merge(owner, modified, (a, b) -> a.isAfter(b) ? a : b);
        }
        for (Map.Entry<String, List<String>> e : segments.entrySet()) {
            String owner = e.getKey();
            if (objects.contains(owner) || openWrites.contains(owner) || newest.get(owner).isAfter(staleBefore)) {
                continue;
            }
            for (String name : e.getValue()) {
                try {
                    deleteObject(swift, options.container(), name);
                } catch (IOException ex) { // housekeeping: the next start tries again
                    LOG.warn("store {}: could not clean up the segment {}: {}", id, name, ex.getMessage());
                }
            }
        }
    }

    /** A quick look at the account and the container: reachable, authorized, there (or creatable). */
    @Override
    public Optional<String> problem() {
        try {
            HttpResponse<byte[]> r = swift.send("HEAD", SwiftConnection.path(container(), null), Map.of());
            if (r.statusCode() == 404 && !options.createContainerOnPut()) {
                return Optional.of("the container " + options.container() + " does not exist in Swift");
            }
            if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
                return Optional.of("Swift answered " + r.statusCode() + " for the container " + options.container());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Every object of the container whose name starts with {@code prefix}, as the JSON listing shows it; none without a container. */
    static List<JsonNode> list(SwiftConnection swift, String container, String prefix) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        String marker = "";
        while (true) {
            String query = "?format=json&limit=10000&prefix=" + quote(prefix) + "&marker=" + quote(marker);
            HttpResponse<byte[]> r = swift.send("GET", SwiftConnection.path(container, null) + query, Map.of());
            if (r.statusCode() == 404) {
                return all;
            }
            if (r.statusCode() == 204) {
                return all;
            }
            if (r.statusCode() != 200) {
                throw SwiftConnection.failure("listing the container " + container, r);
            }
            JsonNode page = JSON.readTree(r.body());
            if (!page.isArray() || page.isEmpty()) {
                return all;
            }
            page.forEach(all::add);
            marker = page.get(page.size() - 1).path("name").asText();
        }
    }

    static List<String> listNames(SwiftConnection swift, String container, String prefix) throws IOException {
        return list(swift, container, prefix).stream().map(e -> e.path("name").asText()).toList();
    }

    /** Deletes one object; gone already is fine. */
    static void deleteObject(SwiftConnection swift, String container, String name) throws IOException {
        HttpResponse<byte[]> r = swift.send("DELETE", SwiftConnection.path(container, name), Map.of());
        if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
            throw SwiftConnection.failure("deleting " + container + "/" + name, r);
        }
    }

    @Override
    public void close() {
        swift.close();
    }

    @Override
    public String toString() {
        return "SwiftStore[" + id + ": " + layout.location("") + "]";
    }
}
