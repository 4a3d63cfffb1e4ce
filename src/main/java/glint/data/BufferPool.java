package glint.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Big byte buffers shared by all uploads and reused, so that steady uploading allocates nothing. Each upload leases
 * a fixed, small number of them (see {@link UploadPipeline}); the pool keeps up to {@code maxIdle} returned buffers
 * for the next uploads and lets the garbage collector have the rest. Thread-safe.
 */
public final class BufferPool {
    private final int bufferSize;
    private final BlockingQueue<byte[]> idle;
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger peakInUse = new AtomicInteger();

    public BufferPool(int bufferSize, int maxIdle) {
        if (bufferSize <= 0 || maxIdle < 0) {
            throw new IllegalArgumentException("bufferSize " + bufferSize + ", maxIdle " + maxIdle);
        }
        this.bufferSize = bufferSize;
        this.idle = new ArrayBlockingQueue<>(Math.max(1, maxIdle));
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** A buffer of {@link #bufferSize()} bytes, reused if one is idle; its content is undefined. */
    public byte[] acquire() {
        byte[] buffer = idle.poll();
        if (buffer == null) {
            buffer = new byte[bufferSize];
            allocated.incrementAndGet();
        }
        int now = inUse.incrementAndGet();
        peakInUse.accumulateAndGet(now, Math::max);
        return buffer;
    }

    /** Gives a buffer back; the caller must not touch it afterwards. */
    public void release(byte[] buffer) {
        if (buffer.length != bufferSize) {
            throw new IllegalArgumentException("not a buffer of this pool");
        }
        inUse.decrementAndGet();
        idle.offer(buffer); // dropped when the pool already holds maxIdle
    }

    /** Buffers ever allocated by this pool: stays flat while uploads of any size reuse buffers. */
    public long allocated() {
        return allocated.get();
    }

    /** Buffers acquired and not yet released. */
    public int inUse() {
        return inUse.get();
    }

    /** The most buffers that were ever in use at once. */
    public int peakInUse() {
        return peakInUse.get();
    }
}
