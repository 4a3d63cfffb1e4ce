package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.BlobWriter;
import glint.store.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass over uploaded data, from the request body to a committed blob:
 * <pre>
 *   caller thread ──read──► buffer ──┬──► writer stage   BlobWriter.write
 *   (sizes, limits)                  ├──► md5 stage      MessageDigest MD5            (Glance's checksum)
 *                                    └──► hash stage     MessageDigest os_hash_algo   (os_hash_value)
 * </pre>
 * The caller's thread only reads the body and counts; storing and the two digests run at the same time on three
 * worker threads over the same buffers, so the upload goes at the pace of the slowest of them rather than their sum.
 * Each upload leases at most {@code buffersPerUpload} buffers from a shared {@link BufferPool} and reuses them: an
 * image of any size takes the same few MiB, and when the workers fall behind the reader waits for a buffer, which
 * pushes back on the client through TCP. Nothing is ever buffered whole.
 *
 * <p>Any failure (a limit, a size mismatch, a client that goes away, a store error) stops the workers, aborts the
 * writer (nothing of the data is left) and is rethrown; only a fully read, hashed and {@linkplain BlobWriter#commit()
 * committed} blob yields a result.
 */
public final class UploadPipeline {
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    public static final int DEFAULT_BUFFERS_PER_UPLOAD = 4;

    private static final int STAGES = 3;

    private final Executor workers;
    private final BufferPool buffers;
    private final int buffersPerUpload;

    /**
     * A pipeline with 1 MiB buffers, four per upload, kept for reuse up to 32 (uploads running at the same time).
     *
     * @param workers runs the three stages of each upload; it must start tasks at once rather than queue them
     *     behind other uploads (an unbounded cached thread pool)
     */
    public UploadPipeline(Executor workers) {
        this(workers, new BufferPool(DEFAULT_BUFFER_SIZE, 32), DEFAULT_BUFFERS_PER_UPLOAD);
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
        Upload upload;
        try {
            upload = new Upload(writer, algorithm);
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
        boolean committed = false;
        try {
            checkAnnouncedSize(limits);
            upload.start();
            long size = 0;
            while (true) {
                upload.throwIfFailed();
                Chunk chunk = upload.freeChunk();
                int n;
                try {
                    n = readFully(in, chunk.bytes);
                } catch (IOException | RuntimeException e) {
                    upload.recycle(chunk);
                    throw e;
                }
                if (n == 0) {
                    upload.recycle(chunk);
                    break;
                }
                size += n;
                try {
                    checkSize(size, limits);
                } catch (GlintException e) {
                    upload.recycle(chunk);
                    throw e;
                }
                upload.dispatch(chunk, n);
                if (n < chunk.bytes.length) {
                    break; // readFully stops short only at the end of the stream
                }
            }
            if (limits.expectedSize().isPresent() && size != limits.expectedSize().getAsLong()) {
                throw sizeMismatch(size, limits.expectedSize().getAsLong());
            }
            upload.finish();
            String location = commit(writer);
            committed = true;
            return new UploadResult(size, upload.md5.hex(), algorithm.name(), upload.hash.hex(), location);
        } finally {
            if (!committed) {
                upload.cancel();
                writer.abort();
            }
            upload.returnBuffers();
        }
    }

    private static String commit(BlobWriter writer) throws IOException {
        try {
            return writer.commit();
        } catch (StorageFullException e) {
            throw storageFull(e);
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

    // Glance: glance_store StorageFull, rendered by image_data.py upload()
    private static GlintException storageFull(StorageFullException e) {
        return new GlintException(ErrorKind.TOO_LARGE, "Image storage media is full: " + e.getMessage(), java.util.Map.of(), e);
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

    /** One upload in flight: its leased buffers, its three stages and the first failure of any of them. */
    private final class Upload {
        final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(buffersPerUpload);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch stagesDone = new CountDownLatch(STAGES);
        final Stage writeStage;
        final Stage md5;
        final Stage hash;
        final List<Stage> stages;
        volatile boolean cancelled;
        int leased;
        int started;
        boolean ended;

        Upload(BlobWriter writer, HashAlgorithm algorithm) {
            this.writeStage = new Stage(this, (bytes, length) -> writer.write(ByteBuffer.wrap(bytes, 0, length)), null);
            this.md5 = new Stage(this, null, HashAlgorithm.md5().newDigest());
            this.hash = new Stage(this, null, algorithm.newDigest());
            this.stages = List.of(writeStage, md5, hash);
        }

        int capacity() {
            return buffersPerUpload;
        }

        void start() {
            for (Stage s : stages) {
                workers.execute(s); // a rejection ends the upload; stages already started are ended by cancel()
                started++;
            }
        }

        /** A buffer for the next read: an idle one of this upload, a new lease, or (at the bound) the next one freed. */
        Chunk freeChunk() throws InterruptedIOException {
            Chunk chunk = free.poll();
            if (chunk != null) {
                return chunk;
            }
            if (leased < buffersPerUpload) {
                leased++;
                return new Chunk(buffers.acquire(), this);
            }
            try {
                return free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload interrupted");
            }
        }

        void recycle(Chunk chunk) {
            free.add(chunk);
        }

        void dispatch(Chunk chunk, int length) {
            chunk.length = length;
            chunk.refs.set(STAGES);
            for (Stage s : stages) {
                s.queue.add(chunk); // never full: a queue holds at most every leased chunk once, plus END
            }
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
        }

        void throwIfFailed() throws IOException {
            Throwable t = failure.get();
            if (t == null) {
                return;
            }
            if (t instanceof StorageFullException full) {
                throw storageFull(full);
            }
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new IOException("upload failed", t);
        }

        /** End of data: the stages finish their digests and writes; then their failures, if any, surface here. */
        void finish() throws IOException {
            end();
            throwIfFailed();
        }

        /** Stops the stages without further work and waits for them, so that nothing touches writer or buffers after. */
        void cancel() {
            cancelled = true;
            end();
        }

        private void end() {
            if (!ended) {
                ended = true;
                for (int i = 0; i < started; i++) {
                    stages.get(i).queue.add(Chunk.END);
                }
                for (int i = started; i < STAGES; i++) {
                    stagesDone.countDown();
                }
            }
            boolean interrupted = false;
            while (true) {
                try {
                    stagesDone.await(); // stages always reach END: they drain their queue whatever happens
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** After the stages have ended: every leased buffer is idle again and goes back to the shared pool. */
        void returnBuffers() {
            if (!ended) {
                cancel();
            }
            Chunk c;
            while ((c = free.poll()) != null) {
                buffers.release(c.bytes);
            }
        }
    }

    @FunctionalInterface
    private interface ChunkWork {
        void accept(byte[] bytes, int length) throws IOException;
    }

    /** One consumer of the upload's buffers, in order, on a worker thread: the writer or one digest. */
    private static final class Stage implements Runnable {
        final BlockingQueue<Chunk> queue;
        private final Upload upload;
        private final ChunkWork work;
        private final MessageDigest digest;
        private byte[] result;

        Stage(Upload upload, ChunkWork work, MessageDigest digest) {
            this.upload = upload;
            this.work = work;
            this.digest = digest;
            this.queue = new ArrayBlockingQueue<>(upload.capacity() + 1);
        }

        @Override
        public void run() {
            boolean interrupted = false;
            try {
                while (true) {
                    Chunk chunk;
                    try {
                        chunk = queue.take();
                    } catch (InterruptedException e) {
                        interrupted = true; // keep draining: the reader waits for these buffers and for END
                        continue;
                    }
                    if (chunk == Chunk.END) {
                        if (digest != null && !upload.cancelled && upload.failure.get() == null) {
                            result = digest.digest();
                        }
                        return;
                    }
                    try {
                        if (!upload.cancelled && upload.failure.get() == null) {
                            if (digest != null) {
                                digest.update(chunk.bytes, 0, chunk.length);
                            } else {
                                work.accept(chunk.bytes, chunk.length);
                            }
                        }
                    } catch (Throwable t) {
                        upload.fail(t);
                    } finally {
                        chunk.release();
                    }
                }
            } finally {
                upload.stagesDone.countDown();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        String hex() {
            return HexFormat.of().formatHex(result);
        }
    }

    /** A leased buffer travelling through the stages; back to the upload's idle list when all three are done. */
    private static final class Chunk {
        static final Chunk END = new Chunk(new byte[0], null);

        final byte[] bytes;
        final AtomicInteger refs = new AtomicInteger();
        private final Upload owner;
        int length;

        Chunk(byte[] bytes, Upload owner) {
            this.bytes = bytes;
            this.owner = owner;
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                owner.recycle(this);
            }
        }
    }
}
