package glint.store.s3;

import glint.store.BufferPool;
import glint.store.StorageFullException;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The parts of one multipart upload on their way: each is sent from its pooled buffer on one of the store's sender
 * threads, and the buffer goes back to the pool when the part is sent, failed or skipped. How many are in flight is
 * bounded by the pool (a writer waits for a buffer before filling a part) and by the sender threads.
 */
final class PartUploads {
    /** Sends one part and says what the service called it. */
    @FunctionalInterface
    interface Sender {
        CompletedPart send(int partNumber, byte[] data, int length);
    }

    private final Executor senders;
    private final BufferPool pool;
    private final Sender sender;
    private final SortedMap<Integer, CompletedPart> sent = new TreeMap<>(); // guarded by this
    private IOException failure; // guarded by this
    private int inFlight; // guarded by this
    private volatile boolean cancelled;

    PartUploads(Executor senders, BufferPool pool, Sender sender) {
        this.senders = senders;
        this.pool = pool;
        this.sender = sender;
    }

    /** Sends {@code data[0, length)} as part {@code partNumber}; {@code data} belongs to this object from now on. */
    void submit(int partNumber, byte[] data, int length) throws IOException {
        synchronized (this) {
            inFlight++;
        }
        try {
            senders.execute(() -> send(partNumber, data, length));
        } catch (RejectedExecutionException e) {
            finished(data);
            throw new IOException("the store is closed", e);
        }
    }

    private void send(int partNumber, byte[] data, int length) {
        try {
            if (!cancelled && failed() == null) {
                CompletedPart part = sender.send(partNumber, data, length);
                synchronized (this) {
                    sent.put(partNumber, part);
                }
            }
        } catch (SdkException e) {
            fail(S3Errors.io("uploading part " + partNumber, e));
        } catch (RuntimeException | Error e) {
            fail(new IOException("uploading part " + partNumber + " failed", e));
        } finally {
            finished(data);
        }
    }

    private synchronized void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    private synchronized IOException failed() {
        return failure;
    }

    private void finished(byte[] data) {
        pool.release(data);
        synchronized (this) {
            inFlight--;
            notifyAll();
        }
    }

    /** Throws the first failure of a part, if any: a writer stops at once rather than at commit. */
    void throwIfFailed() throws IOException {
        IOException e = failed();
        if (e instanceof StorageFullException) {
            throw new StorageFullException(e.getMessage(), e); // here, on the writer's thread; still a full store
        }
        if (e instanceof StoreUnavailableException) {
            throw new StoreUnavailableException(e.getMessage(), e);
        }
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Waits for every part and returns them in order; throws the first failure. */
    List<CompletedPart> awaitAll() throws IOException {
        synchronized (this) {
            while (inFlight > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while parts were being sent");
                }
            }
        }
        throwIfFailed();
        synchronized (this) {
            return new ArrayList<>(sent.values());
        }
    }

    /** Parts not started are skipped; waits until those being sent are done, so that no buffer is still in use. */
    void cancel() {
        cancelled = true;
        boolean interrupted = false;
        synchronized (this) {
            while (inFlight > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // finite: a part ends when sent or when its socket times out
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
