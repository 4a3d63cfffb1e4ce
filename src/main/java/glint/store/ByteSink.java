package glint.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where downloaded bytes go: the HTTP response. {@code write} returns once the buffer has been consumed. */
@FunctionalInterface
public interface ByteSink {
    void write(ByteBuffer buffer) throws IOException;
}
