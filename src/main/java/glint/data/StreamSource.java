package glint.data;

import glint.store.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An {@link UploadSource} over an {@link InputStream}: reads into at most {@code bound} buffers leased from a shared
 * {@link BufferPool} and reuses them as the consumer releases them. Only the first lease waits for the pool, so a
 * source that holds buffers never waits for other uploads' and all uploads keep moving when the pool runs dry; a source
 * with no buffer free waits for its consumer, which pushes back on whoever writes the stream. {@link #close()} gives
 * the buffers back once every piece has been released.
 */
public final class StreamSource implements UploadSource, AutoCloseable {
    private final InputStream in;
    private final BufferPool pool;
    private final int bound;
    private final BlockingQueue<byte[]> free;
    private int leased;
    private boolean ended;

    public StreamSource(InputStream in, BufferPool pool, int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        this.in = in;
        this.pool = pool;
        this.bound = bound;
        this.free = new ArrayBlockingQueue<>(bound);
    }

    @Override
    public Piece next() throws IOException {
        if (ended) {
            return null;
        }
        byte[] buffer = freeBuffer();
        int n;
        try {
            n = readFully(in, buffer);
        } catch (IOException | RuntimeException e) {
            free.add(buffer);
            throw e;
        }
        if (n < buffer.length) {
            ended = true; // readFully stops short only at the end of the stream
        }
        if (n == 0) {
            free.add(buffer);
            return null;
        }
        return new Piece(ByteBuffer.wrap(buffer, 0, n), () -> free.add(buffer));
    }

    /** Returns the buffers to the pool; every piece must have been released before. */
    @Override
    public void close() {
        byte[] buffer;
        while ((buffer = free.poll()) != null) {
            pool.release(buffer);
            leased--;
        }
    }

    private byte[] freeBuffer() throws InterruptedIOException {
        try {
            byte[] buffer = free.poll();
            if (buffer != null) {
                return buffer;
            }
            if (leased < bound) {
                buffer = leased == 0 ? pool.acquire() : pool.tryAcquire();
                if (buffer != null) {
                    leased++;
                    return buffer;
                }
            }
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
    }

    /** Reads until the buffer is full or the stream ends; big reads keep the per-piece overhead of the stages low. */
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
