package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass over an upload: the request thread reads the body into big buffers and writes them to the store,
 * while MD5 and the {@code os_hash} digest run on two other threads over the same buffers. A buffer goes back to
 * the pool when all three are done with it; the pool is small and fixed, so an upload of any size needs
 * {@link #BUFFERS} × {@link #BUFFER_SIZE} bytes, and a slow consumer slows the reader (back-pressure to the client).
 */
public final class UploadPipeline {
    public static final int BUFFER_SIZE = 1 << 20;
    public static final int BUFFERS = 4;

    private final ExecutorService hashers;

    public UploadPipeline(ExecutorService hashers) {
        this.hashers = hashers;
    }

    /**
     * Streams {@code in} into {@code writer} and commits it. {@code maxBytes} is the size cap (more → 413, nothing
     * kept); {@code expectedSize} a size the client announced (a different count → 400). On any failure the writer
     * is aborted and the exception rethrown.
     */
    public UploadResult run(InputStream in, BlobWriter writer, HashAlgorithm algorithm, long maxBytes, OptionalLong expectedSize)
            throws IOException {
        BlockingQueue<Chunk> pool = new ArrayBlockingQueue<>(BUFFERS);
        for (int i = 0; i < BUFFERS; i++) {
            pool.add(new Chunk(new byte[BUFFER_SIZE], pool));
        }
        Hasher md5 = new Hasher(md5Digest());
        Hasher hash = new Hasher(algorithm.newDigest());
        Future<?> md5Done = hashers.submit(md5);
        Future<?> hashDone = hashers.submit(hash);
        boolean committed = false;
        try {
            long size = 0;
            while (true) {
                Chunk chunk = take(pool);
                int n = readFully(in, chunk.bytes);
                if (n == 0) {
                    pool.add(chunk);
                    break;
                }
                size += n;
                if (size > maxBytes) {
                    pool.add(chunk);
                    throw new GlintException(ErrorKind.TOO_LARGE, "The provided image is too large.");
                }
                if (expectedSize.isPresent() && size > expectedSize.getAsLong()) {
                    pool.add(chunk);
                    throw sizeMismatch(expectedSize.getAsLong());
                }
                chunk.length = n;
                chunk.refs.set(3);
                md5.queue.put(chunk);
                hash.queue.put(chunk);
                writer.write(ByteBuffer.wrap(chunk.bytes, 0, n));
                chunk.release();
            }
            if (expectedSize.isPresent() && size != expectedSize.getAsLong()) {
                throw sizeMismatch(expectedSize.getAsLong());
            }
            md5.queue.put(Chunk.END);
            hash.queue.put(Chunk.END);
            await(md5Done);
            await(hashDone);
            writer.commit();
            committed = true;
            return new UploadResult(size, md5.hex(), algorithm.name(), hash.hex());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("upload interrupted", e);
        } finally {
            if (!committed) {
                md5Done.cancel(true);
                hashDone.cancel(true);
                writer.abort();
            }
        }
    }

    private static GlintException sizeMismatch(long expected) {
        return GlintException.badRequest("The uploaded data does not match the announced size of " + expected + " bytes.");
    }

    private static Chunk take(BlockingQueue<Chunk> pool) throws InterruptedException {
        return pool.take();
    }

    /** Reads until the buffer is full or the stream ends; big buffers keep the per-chunk work of the hashers low. */
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

    private static void await(Future<?> f) throws IOException, InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            throw new IOException("hashing failed", e.getCause());
        }
    }

    private static MessageDigest md5Digest() {
        return HashAlgorithm.of("md5").newDigest();
    }

    /** A pooled buffer shared by the writer and the two hashers. */
    static final class Chunk {
        static final Chunk END = new Chunk(new byte[0], null);
        final byte[] bytes;
        final AtomicInteger refs = new AtomicInteger();
        private final BlockingQueue<Chunk> pool;
        int length;

        Chunk(byte[] bytes, BlockingQueue<Chunk> pool) {
            this.bytes = bytes;
            this.pool = pool;
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                pool.add(this);
            }
        }
    }

    /** Digests the chunks of one upload in order, on its own thread. */
    private static final class Hasher implements Runnable {
        final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(BUFFERS + 1);
        private final MessageDigest digest;
        private byte[] result;

        Hasher(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Chunk c = queue.take();
                    if (c == Chunk.END) {
                        result = digest.digest();
                        return;
                    }
                    digest.update(c.bytes, 0, c.length);
                    c.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String hex() {
            return HexFormat.of().formatHex(result);
        }
    }
}
