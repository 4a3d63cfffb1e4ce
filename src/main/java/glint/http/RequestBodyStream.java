package glint.http;

import glint.data.ClientBodyException;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.io.Content;

/**
 * A request body as an {@link InputStream} (staging reads it into pooled buffers through {@code data.StreamSource}):
 * every failure to read it (the client went away, a read timed out, a broken chunked encoding) is a
 * {@link ClientBodyException}, the client's fault, whatever Jetty reported it as.
 */
final class RequestBodyStream extends InputStream {
    private final InputStream in;

    RequestBodyStream(Content.Source body) {
        this.in = Content.Source.asInputStream(body);
    }

    @Override
    public int read() throws ClientBodyException {
        try {
            return in.read();
        } catch (IOException | RuntimeException e) {
            throw new ClientBodyException(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws ClientBodyException {
        try {
            return in.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            throw new ClientBodyException(e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
