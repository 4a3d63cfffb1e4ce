package glint.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One blob being written. Nothing is visible under {@link #location()} until {@link #commit()} returns; after
 * {@link #abort()} nothing of it is left. Exactly one of the two ends every writer.
 */
public interface BlobWriter {
    /** The final location (known from the start, so that it can be journalled before the first byte). */
    String location();

    void write(ByteBuffer data) throws IOException;

    /** Makes the data durable and visible under {@link #location()}. */
    void commit() throws IOException;

    /** Discards the data; never throws. */
    void abort();
}
