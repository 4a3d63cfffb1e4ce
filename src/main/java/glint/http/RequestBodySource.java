package glint.http;

import glint.data.UploadSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Blocker;

/**
 * A request body as an {@link UploadSource} made of Jetty's own request buffers: each chunk read from the connection
 * is handed on as it is, without a copy, and goes back to Jetty's buffer pool when the upload's stages release it.
 * Jetty takes a fresh buffer for the next read while a chunk is held. Blocks the calling (request) thread until data
 * arrives.
 */
public final class RequestBodySource implements UploadSource {
    private final Content.Source source;
    private boolean ended;

    public RequestBodySource(Content.Source source) {
        this.source = source;
    }

    @Override
    public Piece next() throws IOException {
        while (!ended) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                awaitData();
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                chunk.release();
                ended = true;
                throw failure instanceof IOException io ? io : new IOException("reading the request body failed", failure);
            }
            ended = chunk.isLast();
            ByteBuffer data = chunk.getByteBuffer();
            if (!data.hasRemaining()) {
                chunk.release();
                continue;
            }
            if (!chunk.canRetain()) {
                // A chunk that cannot outlive this read (none of Jetty's HTTP/1 request chunks): copy it.
                ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                chunk.release();
                return new Piece(copy, () -> { });
            }
            return new Piece(data, chunk::release);
        }
        return null;
    }

    private void awaitData() throws IOException {
        try (Blocker.Runnable ready = Blocker.runnable()) {
            source.demand(ready);
            ready.block();
        }
    }
}
