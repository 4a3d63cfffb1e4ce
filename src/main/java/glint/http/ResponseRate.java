package glint.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.util.Callback;

/**
 * A response body that must leave at {@code minRate} bytes per second on average, counted from its first write, once
 * {@link BodyRate#GRACE} has passed; a client reading slower has its connection closed. The idle timeout alone does not
 * bound a download read a byte a second (each byte is progress), and the handler's thread is held while it lasts.
 * Progress within a write is seen in the buffer's position, which the socket's writes advance (a download hands the
 * store's 16 MiB mapped windows to Jetty whole).
 */
final class ResponseRate {
    /** How often a pending write's progress is looked at. */
    static final long CHECK_MILLIS = 1000;
    private final Request request;
    private final long minRate;
    private long firstWrite;
    private long bytes;

    ResponseRate(Request request, long minRate) {
        this.request = request;
        this.minRate = minRate;
    }

    /** A write's completion; completing it never blocks, so Jetty may complete it on its selector thread. */
    static final class Pending extends CompletableFuture<Void> implements Callback {
        @Override
        public void succeeded() {
            complete(null);
        }

        @Override
        public void failed(Throwable x) {
            completeExceptionally(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    /** Waits for the write of {@code buffer} (of {@code length} bytes when started) that {@code pending} completes. */
    void await(Pending pending, ByteBuffer buffer, int length) throws IOException {
        long now = System.nanoTime();
        if (firstWrite == 0) {
            firstWrite = now;
        }
        boolean closed = false;
        try {
            while (true) {
                try {
                    pending.get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
                    bytes += length;
                    return;
                } catch (TimeoutException e) {
                    long sent = bytes + (length - buffer.remaining());
                    long elapsed = System.nanoTime() - firstWrite;
                    if (!closed && BodyRate.belowRate(sent, elapsed, minRate)) {
                        closed = true; // the pending write fails, and with it this wait
                        request.getConnectionMetaData().getConnection().getEndPoint().close(new TimeoutException(
                                "response body read at less than " + minRate + " bytes/s (" + sent + " bytes in "
                                        + elapsed / 1_000_000 + " ms)"));
                    }
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing the response");
        }
    }
}
