package glint.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One blob being written. Exactly one of {@link #commit()} or {@link #abort()} ends it: after {@code commit} the
 * whole blob is durable and visible under {@link #location()}; after {@code abort} nothing of it is left. Until
 * then nothing is visible under the location, not even after a crash. {@link #close()} aborts unless committed, so
 * {@code try (BlobWriter w = store.create(id)) { ...; w.commit(); }} never leaks partial data.
 *
 * <p>Not thread-safe: one thread at a time (handing the writer to another thread through a queue is fine).
 */
public interface BlobWriter extends AutoCloseable {
    /** The final location, known from the start so that it can be journalled before the first byte. */
    String location();

    /** Appends all remaining bytes of {@code data} (its position ends at its limit). The buffer is not retained. */
    void write(ByteBuffer data) throws IOException;

    /** Bytes appended so far. */
    long bytesWritten();

    /**
     * Makes the data durable and visible under {@link #location()} and returns that location. When this returns
     * the blob survives a crash; when it throws, the writer has been aborted.
     */
    String commit() throws IOException;

    /** Discards the data. Never throws; idempotent; does nothing after a successful {@link #commit()}. */
    void abort();

    /** Aborts unless committed. */
    @Override
    default void close() {
        abort();
    }
}
