package glint.store.swift;

import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blob being written to Swift, whatever its size, streamed. The first bytes go to a head buffer from the store's
 * pool ({@link SwiftStore#headSize}); a blob that ends there, below {@code swift_store_large_object_size}, goes up
 * at commit in one PUT with its length, which is tried again on a temporary failure. A longer blob streams as
 * segments of {@code swift_store_large_object_chunk_size} ({@link SwiftLayout}): each segment is one chunked PUT
 * whose body is fed from {@link #write} through a {@link SegmentPipe}, so memory is the head buffer plus the pipe,
 * never a segment; at commit the manifest goes up last. A segment's bytes are gone once sent, so a segment that fails
 * fails the write (the caller's upload), after which the written segments are deleted.
 */
final class SwiftWriter implements BlobWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftWriter.class);

    private final SwiftConnection swift;
    private final SwiftLayout layout;
    private final String object;
    private final String location;
    private final BufferPool heads;
    private final long largeObjectSize;
    private final long chunkSize;
    private final Set<String> openWrites;
    private byte[] head;
    private int headFilled;
    private long written;
    private int segments; // started so far
    private long segmentWritten;
    private SegmentPipe pipe;
    private CompletableFuture<HttpResponse<byte[]>> segmentPut;
    private boolean committed;
    private boolean aborted;

    SwiftWriter(SwiftConnection swift, SwiftLayout layout, String object, BufferPool heads, Set<String> openWrites) {
        this.swift = swift;
        this.layout = layout;
        this.object = object;
        this.location = layout.location(object);
        this.heads = heads;
        this.largeObjectSize = swift.options().largeObjectSize();
        this.chunkSize = swift.options().chunkSize();
        this.openWrites = openWrites;
        openWrites.add(object);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        if (committed || aborted) {
            throw new IllegalStateException("writer is " + (committed ? "committed" : "aborted"));
        }
        try {
            while (data.hasRemaining()) {
                if (segments == 0) {
                    if (head == null) {
                        head = acquireHead();
                    }
                    if (headFilled < head.length) {
                        int n = Math.min(data.remaining(), head.length - headFilled);
                        data.get(head, headFilled, n);
                        headFilled += n;
                        written += n;
                        continue;
                    }
                    startSegment(); // more than the head holds: a large object from here on
                    ByteBuffer buffered = ByteBuffer.wrap(head, 0, headFilled);
                    sendToSegment(buffered);
                    releaseHead(); // copied into the pipe
                    continue;
                }
                int before = data.remaining();
                sendToSegment(data);
                written += before - data.remaining();
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Sends what fits of {@code data} into the current segment, rolling to the next one when it is full. */
    private void sendToSegment(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (segmentWritten == chunkSize) {
                finishSegment();
                startSegment();
            }
            int n = (int) Math.min(data.remaining(), chunkSize - segmentWritten);
            ByteBuffer slice = data.slice(data.position(), n);
            pipe.put(slice);
            data.position(data.position() + n);
            segmentWritten += n;
        }
    }

    private byte[] acquireHead() throws IOException {
        try {
            return heads.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a buffer");
        }
    }

    private void startSegment() throws IOException {
        segments++;
        segmentWritten = 0;
        SegmentPipe p = new SegmentPipe();
        pipe = p;
        segmentPut = swift.stream("PUT", SwiftConnection.path(layout.container(), SwiftLayout.segment(object, segments)),
                Map.of("Content-Type", "application/octet-stream"), p);
        p.sending(segmentPut);
    }

    /** Ends the current segment's body and waits for Swift to have stored it. */
    private void finishSegment() throws IOException {
        pipe.finish();
        HttpResponse<byte[]> response = await(segmentPut);
        segmentPut = null;
        pipe = null;
        if (response.statusCode() != 201) {
            throw SwiftConnection.failure("storing segment " + segments + " of " + location, response);
        }
    }

    private static HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> put) throws IOException {
        try {
            return put.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a segment was stored");
        } catch (ExecutionException e) {
            throw new StoreUnavailableException("storing a segment failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    public String commit() throws IOException {
        if (committed) {
            return location;
        }
        if (aborted) {
            throw new IllegalStateException("writer is aborted");
        }
        try {
            if (segments == 0 && written < largeObjectSize) {
                putWhole();
            } else {
                if (segments == 0) {
                    startSegment(); // exactly the head and at least the large-object size: one segment
                    sendToSegment(ByteBuffer.wrap(head, 0, headFilled));
                }
                finishSegment();
                removeStrayLaterSegments();
                putManifest();
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        committed = true;
        releaseHead();
        openWrites.remove(object);
        return location;
    }

    private void putWhole() throws IOException {
        byte[] data = head == null ? new byte[0] : head;
        int length = headFilled;
        HttpResponse<byte[]> r = swift.send("PUT", SwiftConnection.path(layout.container(), object),
                Map.of("Content-Type", "application/octet-stream"),
                () -> HttpRequest.BodyPublishers.ofByteArray(data, 0, length), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) {
            throw SwiftConnection.failure("storing " + location, r);
        }
    }

    /**
     * Segments numbered past this write's last one, left by an earlier write of the same image that was interrupted
     * and not yet cleaned up: the manifest takes every object of its prefix, so they would be read as part of the
     * image (glance_store does not look). Deleted before the manifest is written.
     */
    private void removeStrayLaterSegments() throws IOException {
        for (String name : SwiftStore.listNames(swift, layout.container(), object + "-")) {
            Integer n = segmentNumber(name);
            if (n != null && n > segments) {
                SwiftStore.deleteObject(swift, layout.container(), name);
            }
        }
    }

    private Integer segmentNumber(String name) {
        String owner = SwiftLayout.segmentOwner(name);
        return object.equals(owner) ? Integer.valueOf(name.substring(object.length() + 1)) : null;
    }

    private void putManifest() throws IOException {
        HttpResponse<byte[]> r = swift.send("PUT", SwiftConnection.path(layout.container(), object),
                Map.of("X-Object-Manifest", layout.manifest(object), "Content-Type", "application/octet-stream"),
                HttpRequest.BodyPublishers::noBody, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) {
            throw SwiftConnection.failure("storing the manifest of " + location, r);
        }
        // the manifest's size is its segments' as listed now: every byte written is there, no more (a check glance_store
        // does not make)
        HttpResponse<byte[]> head = swift.send("HEAD", SwiftConnection.path(layout.container(), object), Map.of());
        long stored = head.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (head.statusCode() != 200 || stored != written) {
            SwiftStore.deleteObject(swift, layout.container(), object);
            throw new StoreUnavailableException(location + ": Swift holds " + stored + " bytes for it (answer " + head.statusCode()
                    + "), not the " + written + " written", null);
        }
    }

    @Override
    public void abort() {
        if (committed || aborted) {
            return;
        }
        aborted = true;
        if (pipe != null) {
            pipe.abort();
            try {
                segmentPut.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // the aborted body failed the request, as intended
            }
        }
        for (int n = 1; n <= segments; n++) {
            try {
                SwiftStore.deleteObject(swift, layout.container(), SwiftLayout.segment(object, n));
            } catch (IOException e) {
                LOG.warn("could not delete segment {} of {} ({}); delete(location) or cleanup() will", n, location, e.getMessage());
            }
        }
        releaseHead();
        openWrites.remove(object);
    }

    private void releaseHead() {
        if (head != null) {
            heads.release(head);
            head = null;
        }
    }
}
