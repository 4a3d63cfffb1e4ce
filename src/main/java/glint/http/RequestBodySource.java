package glint.http;

import glint.data.ClientBodyException;
import glint.data.UploadSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Blocker;

/**
 * A request body as an {@link UploadSource} made of Jetty's own request buffers: each chunk read from the connection
 * is handed on as it is, without a copy, and goes back to Jetty's buffer pool when the upload's stages release it.
 * Jetty takes a fresh buffer for the next read while a chunk is held. Blocks the calling (request) thread until data
 * arrives. A body that cannot be read (the client went away, a read timed out, a broken chunked encoding) is a
 * {@link ClientBodyException}: the client's fault.
 */
public final class RequestBodySource implements UploadSource {
    private final Content.Source source;
    private boolean ended;

    public RequestBodySource(Content.Source source) {
        this.source = source;
    }

    @Override
    public Piece next() throws ClientBodyException {
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
                throw new ClientBodyException(failure);
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

    private void awaitData() throws ClientBodyException {
        try (Blocker.Runnable ready = Blocker.runnable()) {
            source.demand(ready);
            ready.block();
        } catch (IOException e) {
            throw new ClientBodyException(e);
        }
    }
}
