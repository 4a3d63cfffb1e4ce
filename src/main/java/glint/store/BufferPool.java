package glint.store;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Big byte buffers shared by all uploads (glint.data's pipeline reads streams into them, the S3 store's writers
 * copy parts into them) and reused, so that steady uploading allocates nothing, with a hard cap on
 * how many exist: at most {@code maxBuffers} are ever allocated, so the memory of all uploads together is bounded
 * whatever their number and size. When all are in use, {@link #acquire()} waits (and {@link #tryAcquire()} says no):
 * uploads then share the buffers and go slower instead of exhausting the heap. Thread-safe.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int maxBuffers;
    private final Semaphore permits;
    private final BlockingQueue<byte[]> idle;
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger peakInUse = new AtomicInteger();

    public BufferPool(int bufferSize, int maxBuffers) {
        if (bufferSize <= 0 || maxBuffers <= 0) {
            throw new IllegalArgumentException("bufferSize " + bufferSize + ", maxBuffers " + maxBuffers);
        }
        this.bufferSize = bufferSize;
        this.maxBuffers = maxBuffers;
        this.permits = new Semaphore(maxBuffers);
        this.idle = new ArrayBlockingQueue<>(maxBuffers);
    }

    /** A pool of {@code bufferSize} buffers using at most an eighth of the heap, between 8 and 256 buffers. */
    public static BufferPool forHeap(int bufferSize) {
        long share = Runtime.getRuntime().maxMemory() / 8 / bufferSize;
        return new BufferPool(bufferSize, (int) Math.max(8, Math.min(256, share)));
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int maxBuffers() {
        return maxBuffers;
    }

    /** A buffer of {@link #bufferSize()} bytes (content undefined), waiting while {@code maxBuffers} are in use. */
    public byte[] acquire() throws InterruptedException {
        permits.acquire();
        return take();
    }

    /** A buffer, or null if {@code maxBuffers} are in use. */
    public byte[] tryAcquire() {
        return permits.tryAcquire() ? take() : null;
    }

    private byte[] take() {
        byte[] buffer = idle.poll();
        if (buffer == null) {
            buffer = new byte[bufferSize];
            allocated.incrementAndGet();
        }
        peakInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
        return buffer;
    }

    /** Gives a buffer back; the caller must not touch it afterwards. */
    public void release(byte[] buffer) {
        if (buffer.length != bufferSize) {
            throw new IllegalArgumentException("not a buffer of this pool");
        }
        inUse.decrementAndGet();
        idle.add(buffer); // never full: idle + in use <= maxBuffers
        permits.release();
    }

    /** Buffers ever allocated: never more than {@code maxBuffers}, and flat while uploads reuse them. */
    public long allocated() {
        return allocated.get();
    }

    /** Buffers acquired and not yet released. */
    public int inUse() {
        return inUse.get();
    }

    /** The most buffers that were in use at once. */
    public int peakInUse() {
        return peakInUse.get();
    }
}
