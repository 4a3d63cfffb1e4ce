package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.BlobWriter;
import glint.store.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * One pass over uploaded data, from the request body to a committed blob:
 * <pre>
 *   caller thread ──read──► buffer ──┬──► writer stage   BlobWriter.write
 *   (sizes, limits)                  ├──► md5 stage      MessageDigest MD5            (Glance's checksum)
 *                                    └──► hash stage     MessageDigest os_hash_algo   (os_hash_value)
 * </pre>
 * The caller's thread only reads the body and counts; storing and the two digests run at the same time on three
 * worker threads over the same buffers, so the upload goes at the pace of the slowest of them rather than their sum.
 * Each upload leases at most {@code buffersPerUpload} buffers from a shared, capped {@link BufferPool} and reuses
 * them: an image of any size takes the same few MiB, all uploads together at most the pool's cap, and when the
 * workers fall behind the reader waits for a buffer, which pushes back on the client through TCP. Nothing is ever
 * buffered whole.
 *
 * <p>Any failure (a limit, a size mismatch, a client that goes away, a store error) stops the workers, aborts the
 * writer (nothing of the data is left) and is rethrown; only a fully read, hashed and {@linkplain BlobWriter#commit()
 * committed} blob yields a result.
 */
public final class UploadPipeline {
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    public static final int DEFAULT_BUFFERS_PER_UPLOAD = 4;

    private final Executor workers;
    private final BufferPool buffers;
    private final int buffersPerUpload;

    /**
     * A pipeline with 1 MiB buffers, up to four per upload, from a pool of at most an eighth of the heap
     * ({@link BufferPool#forHeap}).
     *
     * @param workers runs the three stages of each upload; it must start tasks at once rather than queue them
     *     behind other uploads (an unbounded cached thread pool)
     */
    public UploadPipeline(Executor workers) {
        this(workers, BufferPool.forHeap(DEFAULT_BUFFER_SIZE), DEFAULT_BUFFERS_PER_UPLOAD);
    }

    public UploadPipeline(Executor workers, BufferPool buffers, int buffersPerUpload) {
        if (buffersPerUpload < 1) {
            throw new IllegalArgumentException("buffersPerUpload must be positive: " + buffersPerUpload);
        }
        this.workers = workers;
        this.buffers = buffers;
        this.buffersPerUpload = buffersPerUpload;
    }

    /** Shorthand for {@link #run(InputStream, BlobWriter, HashAlgorithm, UploadLimits)} without a quota. */
    public UploadResult run(InputStream in, BlobWriter writer, HashAlgorithm algorithm, long sizeCap, OptionalLong expectedSize)
            throws IOException {
        return run(in, writer, algorithm, UploadLimits.of(sizeCap).withExpectedSize(expectedSize));
    }

    /**
     * Streams {@code in} to its end into {@code writer} and commits it.
     *
     * @return size, MD5, {@code algorithm} digest and location of the committed blob
     * @throws GlintException TOO_LARGE past the size cap or the remaining quota, or when the store is full;
     *     BAD_REQUEST when the data is not of the expected size. The rest of the body is not read.
     * @throws IOException when the body cannot be read (client gone) or the store fails
     */
    public UploadResult run(InputStream in, BlobWriter writer, HashAlgorithm algorithm, UploadLimits limits)
            throws IOException {
        UploadStages stages;
        try {
            stages = new UploadStages(writer, algorithm, buffers, buffersPerUpload);
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
        boolean committed = false;
        try {
            checkAnnouncedSize(limits);
            stages.start(workers);
            long size = 0;
            while (true) {
                stages.throwIfFailed();
                UploadStages.Chunk chunk = stages.freeChunk();
                int n;
                try {
                    n = readFully(in, chunk.bytes);
                    checkSize(size + n, limits);
                } catch (IOException | RuntimeException e) {
                    stages.recycle(chunk);
                    throw e;
                }
                if (n == 0) {
                    stages.recycle(chunk);
                    break;
                }
                size += n;
                stages.dispatch(chunk, n);
                if (n < chunk.bytes.length) {
                    break; // readFully stops short only at the end of the stream
                }
            }
            if (limits.expectedSize().isPresent() && size != limits.expectedSize().getAsLong()) {
                throw sizeMismatch(size, limits.expectedSize().getAsLong());
            }
            stages.finish();
            String location = writer.commit();
            committed = true;
            return new UploadResult(size, stages.md5Hex(), algorithm.name(), stages.hashHex(), location);
        } catch (StorageFullException e) {
            // Glance: glance_store StorageFull, rendered by image_data.py upload()
            throw new GlintException(ErrorKind.TOO_LARGE, "Image storage media is full: " + e.getMessage(), Map.of(), e);
        } finally {
            if (!committed) {
                stages.cancel();
                writer.abort();
            }
            stages.returnBuffers();
        }
    }

    /** Glance refuses an announced size over the limits before reading anything (glance/api/common.py check_quota). */
    private static void checkAnnouncedSize(UploadLimits limits) {
        if (limits.quotaRemaining().isPresent()) {
            long remaining = limits.quotaRemaining().getAsLong();
            if (limits.expectedSize().orElse(0) > remaining || (limits.expectedSize().isEmpty() && remaining <= 0)) {
                throw quotaExceeded(limits.expectedSize().orElse(0), remaining);
            }
        }
        if (limits.expectedSize().isPresent() && limits.expectedSize().getAsLong() > limits.sizeCap()) {
            throw tooLarge();
        }
    }

    /** Glance wraps the body in the quota's LimitingReader, then in image_size_cap's: the quota is noticed first. */
    private static void checkSize(long size, UploadLimits limits) {
        if (limits.quotaRemaining().isPresent() && size > limits.quotaRemaining().getAsLong()) {
            throw quotaExceeded(size, limits.quotaRemaining().getAsLong());
        }
        if (size > limits.sizeCap()) {
            throw tooLarge();
        }
        if (limits.expectedSize().isPresent() && size > limits.expectedSize().getAsLong()) {
            throw sizeMismatch(size, limits.expectedSize().getAsLong());
        }
    }

    // Glance: ImageSizeLimitExceeded, rendered by image_data.py upload()
    private static GlintException tooLarge() {
        return new GlintException(ErrorKind.TOO_LARGE, "The incoming image is too large: The provided image is too large.");
    }

    // Glance: StorageQuotaFull, rendered by image_data.py upload()
    private static GlintException quotaExceeded(long size, long remaining) {
        return new GlintException(ErrorKind.TOO_LARGE, "Image exceeds the storage quota: The size of the data " + size
                + " will exceed the limit. " + Math.max(0, remaining) + " bytes remaining.");
    }

    private static GlintException sizeMismatch(long received, long expected) {
        return GlintException.badRequest("The uploaded data (" + (received > expected ? "more than " : "") + received
                + " bytes) does not match the expected image size of " + expected + " bytes.");
    }

    /** Reads until the buffer is full or the stream ends; big reads keep the per-buffer overhead of the stages low. */
    private static int readFully(InputStream in, byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
