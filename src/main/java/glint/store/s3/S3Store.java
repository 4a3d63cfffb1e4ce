package glint.store.s3;

import glint.auth.RequestIds;
import glint.store.BlobExistsException;
import glint.store.BlobNames;
import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.store.ByteSink;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Blobs as objects of one S3 bucket (AWS or any S3-compatible service), with glance_store's s3 options; the layout
 * and the location form are {@link S3Layout}'s. Writes stream as multipart uploads ({@link S3Writer}) with parts of
 * {@code s3_store_large_object_chunk_size} sent by up to {@code s3_store_thread_pools} sender threads; their buffers
 * come from one pool per store, of {@code s3_store_thread_pools + 1} parts at most and at most a quarter of the heap,
 * so all uploads of the store together hold at most that many parts in memory (they share it, and wait for a buffer
 * rather than allocate). Reads are ranged GETs streamed to the sink.
 */
public final class S3Store implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);
    /** Read buffer: as Jetty's response buffers. */
    static final int READ_BUFFER = 256 * 1024;

    private final String id;
    private final S3Options options;
    private final S3Client client;
    private final S3Layout layout;
    private final S3Bucket bucket;
    private final BufferPool parts;
    private final ThreadPoolExecutor senders;
    private final Duration staleAfter;
    private final Clock clock;
    /** Multipart uploads of this process's open writers. */
    private final Set<String> openUploads = ConcurrentHashMap.newKeySet();

    public S3Store(String id, S3Options options) {
        this(id, options, STALE_AFTER, Clock.systemUTC());
    }

    /** @param staleAfter the age bound of {@link #cleanup()}, measured on {@code clock} against the service's times */
    public S3Store(String id, S3Options options, Duration staleAfter, Clock clock) {
        this.id = id;
        this.options = options;
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.client = S3Clients.create(options);
        this.layout = new S3Layout(options);
        this.bucket = new S3Bucket(client, options);
        this.parts = new BufferPool(options.chunkSize(), partBuffers(options, Runtime.getRuntime().maxMemory()));
        AtomicInteger n = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(options.threadPools(), options.threadPools(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "store-" + id + "-part-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        senders.allowCoreThreadTimeOut(true);
        if (parts.maxBuffers() < options.threadPools() + 1) {
            LOG.warn("store {}: the heap ({} MiB) holds {} part buffers of {} MiB, so {} parts in flight rather than "
                    + "s3_store_thread_pools = {}; give Java more heap (GLINT_JAVA_OPTS=-Xmx…) for more",
                    id, Runtime.getRuntime().maxMemory() >> 20, parts.maxBuffers(), options.chunkSize() >> 20,
                    parts.maxBuffers() - 1, options.threadPools());
        }
    }

    /** {@code s3_store_thread_pools} in flight plus one filling, within a quarter of the heap; at least two. */
    static int partBuffers(S3Options options, long maxHeap) {
        long byHeap = maxHeap / 4 / options.chunkSize();
        return (int) Math.max(2, Math.min(options.threadPools() + 1L, byHeap));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public boolean serves(String location) {
        return layout.keyOf(location) != null;
    }

    /** Glance's s3 store detail ({@code _get_s3_properties}): glance_store's values, sizes in bytes. */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("s3_store_large_object_size", options.largeObjectSize());
        p.put("s3_store_large_object_chunk_size", options.chunkSize());
        p.put("s3_store_thread_pools", options.threadPools());
        return p;
    }

    public S3Options options() {
        return options;
    }

    /** The part buffers of all this store's uploads: {@link BufferPool#peakInUse()} is the memory they took. */
    public BufferPool partBuffers() {
        return parts;
    }

    @Override
    public BlobWriter create(String imageId) throws IOException {
        String key = S3Layout.key(imageId);
        String location = layout.location(key);
        bucket.ensureExists();
        if (head(key, location) != null) { // glance_store's _object_exists check: Duplicate
            throw new BlobExistsException(location);
        }
        try {
            // what an earlier write to this key left when it failed and the service could not be told to abort
            // (it was down): the image is saving through this write only, so no other write to the key is live
            abortInterruptedUploads(key);
        } catch (SdkException e) {
            throw S3Errors.io("looking up interrupted uploads of " + location, e);
        }
        // the writer's requests carry this request's id, whichever thread sends them (the pipeline's, the senders)
        return new S3Writer(client, options.bucket(), key, location, parts, senders, options.largeObjectSize(), openUploads,
                RequestIdHeader.pinned(RequestIds.current()));
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        String key = keyOf(location);
        HeadObjectResponse head = head(key, location);
        if (head == null) {
            throw new BlobNotFoundException(location);
        }
        long size = head.contentLength();
        if (offset > size || length > size - offset) {
            throw new EOFException(location + " has " + size + " bytes, asked for " + length + " from " + offset);
        }
        if (length == 0) {
            return;
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            // If-Match: the bytes of the object just sized, or nothing (deleted and stored again meanwhile: 412)
            in = client.getObject(b -> b.bucket(options.bucket()).key(key).ifMatch(head.eTag())
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (SdkException e) {
            if (S3Errors.notFound(e) || "PreconditionFailed".equals(S3Errors.code(e))) {
                throw new BlobNotFoundException(location);
            }
            throw S3Errors.io("reading " + location, e);
        }
        boolean complete = false;
        try {
            byte[] buffer = new byte[(int) Math.min(READ_BUFFER, length)];
            long left = length;
            while (left > 0) {
                int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, left));
                if (n == 0) {
                    throw new EOFException(location + " ended " + left + " bytes early");
                }
                sink.write(ByteBuffer.wrap(buffer, 0, n));
                left -= n;
            }
            complete = true;
        } finally {
            if (!complete) {
                in.abort(); // drop the connection rather than read the rest of the range
            }
            in.close();
        }
    }

    @Override
    public long size(String location) throws IOException {
        HeadObjectResponse head = head(keyOf(location), location);
        if (head == null) {
            throw new BlobNotFoundException(location);
        }
        return head.contentLength();
    }

    /** The object's metadata; null if there is none (or no bucket). */
    private HeadObjectResponse head(String key, String location) throws IOException {
        try {
            return client.headObject(b -> b.bucket(options.bucket()).key(key));
        } catch (SdkException e) {
            if (S3Errors.notFound(e)) {
                return null;
            }
            throw S3Errors.io("looking up " + location, e);
        }
    }

    private String keyOf(String location) throws BlobNotFoundException {
        String key = layout.keyOf(location);
        if (key == null) {
            throw new BlobNotFoundException(location);
        }
        return key;
    }

    /** Deletes the object and aborts the interrupted multipart uploads to its key (not this process's open ones). */
    @Override
    public void delete(String location) throws IOException {
        String key = layout.keyOf(location);
        if (key == null) {
            return; // not ours, so nothing of ours to delete
        }
        try {
            client.deleteObject(b -> b.bucket(options.bucket()).key(key));
            abortInterruptedUploads(key);
        } catch (SdkException e) {
            if (!S3Errors.notFound(e)) { // no bucket: nothing to delete
                throw S3Errors.io("deleting " + location, e);
            }
        }
    }

    /** Aborts the multipart uploads to {@code key} that are not this process's open ones. */
    private void abortInterruptedUploads(String key) {
        for (MultipartUpload u : client.listMultipartUploadsPaginator(b -> b.bucket(options.bucket()).prefix(key)).uploads()) {
            if (u.key().equals(key) && !openUploads.contains(u.uploadId())) {
                abortUpload(u);
            }
        }
    }

    /**
     * Aborts the multipart uploads to blob keys that are not this process's and made no progress for the age bound:
     * started before it, and no part uploaded since (a live upload of another node sends a part every
     * {@code s3_store_large_object_chunk_size} bytes).
     */
    @Override
    public void cleanup() throws IOException {
        Instant staleBefore = clock.instant().minus(staleAfter);
        try {
            for (MultipartUpload u : client.listMultipartUploadsPaginator(b -> b.bucket(options.bucket())).uploads()) {
                if (BlobNames.valid(u.key()) && !openUploads.contains(u.uploadId()) && !u.initiated().isAfter(staleBefore)) {
                    try {
                        if (!partSentAfter(u, staleBefore)) {
                            abortUpload(u);
                        }
                    } catch (SdkException e) { // housekeeping: the next start tries again
                        LOG.warn("store {}: could not clean up the upload {} of {}: {}", id, u.uploadId(), u.key(), e.getMessage());
                    }
                }
            }
        } catch (SdkException e) {
            if (!S3Errors.notFound(e)) { // no bucket yet: nothing to clean
                throw S3Errors.io("cleaning up interrupted uploads in bucket " + options.bucket(), e);
            }
        }
    }

    private boolean partSentAfter(MultipartUpload u, Instant instant) {
        try {
            return client.listPartsPaginator(b -> b.bucket(options.bucket()).key(u.key()).uploadId(u.uploadId())).parts()
                    .stream().anyMatch(p -> p.lastModified() != null && p.lastModified().isAfter(instant));
        } catch (SdkException e) {
            if (S3Errors.notFound(e)) {
                return false; // completed or aborted meanwhile
            }
            throw e;
        }
    }

    private void abortUpload(MultipartUpload u) {
        try {
            client.abortMultipartUpload(b -> b.bucket(options.bucket()).key(u.key()).uploadId(u.uploadId()));
        } catch (SdkException e) {
            if (!S3Errors.notFound(e)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        senders.shutdown();
        try {
            if (!senders.awaitTermination(2, TimeUnit.MINUTES)) { // a part ends when sent or when its socket times out
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    @Override
    public String toString() {
        return "S3Store[" + id + ": " + layout.location("") + ", " + parts.maxBuffers() + " part buffers of "
                + (options.chunkSize() >> 20) + " MiB]";
    }
}
