package glint.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where downloaded bytes go (the HTTP response). {@code write} consumes the whole buffer and returns only once it no
 * longer needs it: the store may unmap or reuse the buffer right after, so a sink must not keep a reference (a
 * blocking socket write satisfies this). Buffers may be heap, direct or file-mapped.
 */
@FunctionalInterface
public interface ByteSink {
    void write(ByteBuffer buffer) throws IOException;
}
