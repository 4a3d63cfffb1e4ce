package glint.image.imports;

import glint.auth.RequestIds;
import glint.store.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A committed blob as an {@link InputStream}, so that copying it into another store goes through the same
 * {@code UploadPipeline} as an upload: a producer thread pushes {@link BlobStore#read} into a 1 MiB pipe. A store
 * error reaches the reader as an {@link IOException}, never as a short, clean end of data; closing the stream
 * stops the producer.
 */
final class BlobInput extends InputStream {
    private final PipedInputStream in;
    private volatile Throwable failure;

    private BlobInput(PipedInputStream in) {
        this.in = in;
    }

    static BlobInput open(BlobStore store, String location, long size, Executor threads) throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        BlobInput blob = new BlobInput(in);
        Optional<String> requestId = RequestIds.current(); // the task's: the producer reads on its behalf
        threads.execute(() -> {
            byte[] chunk = new byte[64 * 1024];
            try (RequestIds.Scope bound = RequestIds.bind(requestId)) {
                store.read(location, 0, size, (ByteBuffer b) -> {
                    while (b.hasRemaining()) {
                        int n = Math.min(chunk.length, b.remaining());
                        b.get(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                });
            } catch (Throwable e) {
                blob.failure = e; // set before the close below, so the reader sees it at the end of data
            } finally {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the reader has gone
                }
            }
        });
        return blob;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        return b < 0 ? end() : b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        return n < 0 ? end() : n;
    }

    private int end() throws IOException {
        if (failure != null) {
            throw new IOException("reading the source data failed: " + failure, failure);
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
