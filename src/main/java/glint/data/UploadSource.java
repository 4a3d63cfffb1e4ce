package glint.data;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Upload data as a sequence of buffers handed over without copying: the HTTP server's own request buffers
 * ({@code glint.http.RequestBodySource}) or pooled buffers filled from a stream ({@link StreamSource}).
 * {@link UploadPipeline} writes and digests each piece on its worker threads straight from that buffer and releases
 * it once all of them are done, so a byte is copied only by the kernel: from the socket into the request buffer, and
 * from there into the page cache.
 */
public interface UploadSource {
    /**
     * The next piece of data, waiting for it if need be; {@code null} at the end of the data. Each piece must be
     * {@linkplain Piece#release() released}; a source may hold back further pieces until earlier ones are.
     *
     * @throws IOException when the data cannot be read (the client went away, a read timed out)
     */
    Piece next() throws IOException;

    /**
     * The bytes between position and limit of {@code data}, valid until {@link #release()} runs. The consumer must not
     * change the buffer's content; it is released exactly once, on any thread.
     */
    record Piece(ByteBuffer data, Runnable onRelease) {
        public int length() {
            return data.remaining();
        }

        public void release() {
            onRelease.run();
        }
    }
}
