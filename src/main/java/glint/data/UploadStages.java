package glint.data;

import glint.store.BlobWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The moving parts of one upload in {@link UploadPipeline}: its leased buffers, its three stages (writer, MD5,
 * {@code os_hash}) on worker threads, and the first failure of any of them.
 *
 * <p>Life of a buffer: the reader takes a free one ({@link #freeChunk()}), fills it and {@link #dispatch dispatches}
 * it to the three stage queues; each stage releases it when done, the last release makes it free again. Invariants
 * that keep this deadlock-free: a stage queue holds each leased chunk at most once, plus the end marker, so adding
 * never blocks; a stage always drains its queue to the end marker, even after a failure or an interrupt, so every
 * buffer comes back and {@link #end()} returns.
 */
final class UploadStages {
    private static final int STAGES = 3;

    private final BufferPool buffers;
    private final int bound;
    private final BlockingQueue<Chunk> free;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stagesDone = new CountDownLatch(STAGES);
    private final Stage md5;
    private final Stage hash;
    private final List<Stage> stages;
    private final Chunk endMarker = new Chunk(new byte[0]);
    private volatile boolean cancelled;
    private int leased;
    private int started;
    private boolean ended;

    UploadStages(BlobWriter writer, HashAlgorithm algorithm, BufferPool buffers, int bound) {
        this.buffers = buffers;
        this.bound = bound;
        this.free = new ArrayBlockingQueue<>(bound);
        Stage write = new Stage((bytes, length) -> writer.write(ByteBuffer.wrap(bytes, 0, length)), null);
        this.md5 = new Stage(null, HashAlgorithm.md5().newDigest());
        this.hash = new Stage(null, algorithm.newDigest());
        this.stages = List.of(write, md5, hash);
    }

    /** Starts the stages; if the executor refuses one, the exception ends the upload and cancel() ends the others. */
    void start(Executor workers) {
        for (Stage s : stages) {
            workers.execute(s);
            started++;
        }
    }

    /**
     * A buffer for the next read: an idle one of this upload; else a new lease from the pool while under the bound and
     * the pool has one to spare; else the next one this upload's stages release. Only the first lease waits for the
     * pool, so an upload holding buffers never waits for others' and all uploads keep moving when the pool runs dry.
     */
    Chunk freeChunk() throws InterruptedIOException {
        try {
            Chunk chunk = free.poll();
            if (chunk != null) {
                return chunk;
            }
            if (leased < bound) {
                byte[] bytes = leased == 0 ? buffers.acquire() : buffers.tryAcquire();
                if (bytes != null) {
                    leased++;
                    return new Chunk(bytes);
                }
            }
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
    }

    /** Gives back a chunk that was not dispatched. */
    void recycle(Chunk chunk) {
        free.add(chunk);
    }

    void dispatch(Chunk chunk, int length) {
        chunk.length = length;
        chunk.refs.set(STAGES);
        for (Stage s : stages) {
            s.queue.add(chunk);
        }
    }

    /** Rethrows the first failure of a stage, if any. */
    void throwIfFailed() throws IOException {
        Throwable t = failure.get();
        if (t == null) {
            return;
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

    /** End of data: waits until the stages have written and digested everything; then surfaces their failures. */
    void finish() throws IOException {
        end();
        throwIfFailed();
    }

    /** Stops the stages without further work and waits for them: afterwards nothing touches writer or buffers. */
    void cancel() {
        cancelled = true;
        end();
    }

    String md5Hex() {
        return md5.hex();
    }

    String hashHex() {
        return hash.hex();
    }

    private void end() {
        if (!ended) {
            ended = true;
            for (int i = 0; i < started; i++) {
                stages.get(i).queue.add(endMarker);
            }
            for (int i = started; i < STAGES; i++) {
                stagesDone.countDown();
            }
        }
        boolean interrupted = false;
        while (true) {
            try {
                stagesDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the stages are finite; returning earlier would free buffers still in use
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** After the stages have ended (cancelling them if need be): every leased buffer goes back to the shared pool. */
    void returnBuffers() {
        if (!ended) {
            cancel();
        }
        Chunk c;
        while ((c = free.poll()) != null) {
            buffers.release(c.bytes);
        }
    }

    @FunctionalInterface
    private interface ChunkWork {
        void accept(byte[] bytes, int length) throws IOException;
    }

    /** One consumer of the upload's buffers, in order, on a worker thread: the writer or one digest. */
    private final class Stage implements Runnable {
        final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(bound + 1);
        private final ChunkWork work;
        private final MessageDigest digest;
        private byte[] result;

        Stage(ChunkWork work, MessageDigest digest) {
            this.work = work;
            this.digest = digest;
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
                        interrupted = true; // keep draining: the reader waits for these buffers and for the end
                        continue;
                    }
                    if (chunk == endMarker) {
                        if (digest != null && !skipping()) {
                            result = digest.digest();
                        }
                        return;
                    }
                    try {
                        if (!skipping()) {
                            if (digest != null) {
                                digest.update(chunk.bytes, 0, chunk.length);
                            } else {
                                work.accept(chunk.bytes, chunk.length);
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        chunk.release();
                    }
                }
            } finally {
                stagesDone.countDown();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private boolean skipping() {
            return cancelled || failure.get() != null;
        }

        String hex() {
            return HexFormat.of().formatHex(result);
        }
    }

    /** A leased buffer travelling through the stages; free again when all of them have released it. */
    final class Chunk {
        final byte[] bytes;
        final AtomicInteger refs = new AtomicInteger();
        int length;

        Chunk(byte[] bytes) {
            this.bytes = bytes;
        }

        private void release() {
            if (refs.decrementAndGet() == 0) {
                free.add(this);
            }
        }
    }
}
