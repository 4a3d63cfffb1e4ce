package glint.store.swift;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The body of one segment's PUT as it is written: the writer's thread {@link #put}s bytes, the HTTP client's thread
 * reads them as the request body (sent chunked). At most {@link #DEPTH} pieces of at most {@link #PIECE} bytes wait
 * between the two, so a segment of any size takes constant memory; a writer faster than Swift waits. If the request
 * ends early (Swift refused it, the connection broke), the writer stops waiting and is told so.
 */
final class SegmentPipe extends InputStream {
    static final int PIECE = 256 * 1024;
    static final int DEPTH = 4;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final BlockingQueue<byte[]> pieces = new ArrayBlockingQueue<>(DEPTH);
    private Future<?> request; // set once the request is started
    private byte[] current;
    private int position;
    private boolean ended;

    void sending(Future<?> request) {
        this.request = request;
    }

    /** Copies all remaining bytes of {@code data} into the pipe, waiting while the request is behind. */
    void put(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            byte[] piece = new byte[Math.min(PIECE, data.remaining())];
            data.get(piece);
            offer(piece);
        }
    }

    /** Ends the body. */
    void finish() throws IOException {
        offer(END);
    }

    /** Makes the request fail (its body ends in an error, so Swift stores nothing); never waits. */
    void abort() {
        pieces.clear();
        pieces.offer(ABORT);
    }

    private void offer(byte[] piece) throws IOException {
        try {
            while (!pieces.offer(piece, 200, TimeUnit.MILLISECONDS)) {
                if (request != null && request.isDone()) {
                    throw new IOException("the segment's request ended before its body was sent");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a segment");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            if (ended) {
                return -1;
            }
            try {
                current = pieces.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a segment's body");
            }
            position = 0;
            if (current == ABORT) {
                pieces.offer(ABORT); // for any later read too
                current = null;
                throw new IOException("the segment's upload was aborted");
            }
            if (current == END) {
                ended = true;
                current = null;
                return -1;
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
