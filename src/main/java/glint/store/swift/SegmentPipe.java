package glint.store.swift;

import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The body of one segment's PUT as it is written: the writer's thread {@link #put}s bytes, the HTTP client takes them
 * as the request body (sent chunked, a chunk per piece). At most {@link #DEPTH} pieces of at most {@link #PIECE}
 * bytes wait between the two, so a segment of any size takes constant memory; a writer faster than Swift waits. If
 * the request ends early (Swift refused it, the connection broke), the writer stops waiting and is told so. One
 * subscription only: a body cannot be sent twice (a second one fails at once, and so does that request).
 */
final class SegmentPipe implements HttpRequest.BodyPublisher {
    static final int PIECE = 256 * 1024;
    static final int DEPTH = 4;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final BlockingQueue<byte[]> pieces = new ArrayBlockingQueue<>(DEPTH);
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger draining = new AtomicInteger();
    private volatile Flow.Subscriber<? super ByteBuffer> subscriber;
    /** Seconds to wait for the outcome of a request whose body's subscription ended. */
    private static final long ENDING = 10;
    private volatile boolean done;
    private Future<?> request; // set once the request is started

    void sending(Future<?> request) {
        this.request = request;
    }

    @Override
    public long contentLength() {
        return -1; // chunked
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        synchronized (this) {
            if (subscriber != null) {
                s.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {}
                });
                s.onError(new IOException("a segment's body can be sent only once"));
                return;
            }
            subscriber = s;
        }
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    fail(new IllegalArgumentException("request " + n));
                    return;
                }
                demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain();
            }

            @Override
            public void cancel() {
                done = true;
                pieces.clear();
            }
        });
        drain();
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
        pieces.offer(ABORT); // room: only the writer adds, and it is here
        drain();
    }

    private void offer(byte[] piece) throws IOException {
        try {
            while (!pieces.offer(piece, 200, TimeUnit.MILLISECONDS)) {
                if (done || (request != null && request.isDone())) {
                    throw ended();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a segment");
        }
        drain();
    }

    /**
     * The request ended before its body was sent: Swift went away or answered a temporary failure (a
     * {@link StoreUnavailableException}, as the writer's other failures of that kind), or it refused the segment.
     */
    private IOException ended() {
        String message = "the segment's request ended before its body was sent";
        if (request == null) {
            return new IOException(message);
        }
        try {
            // the body's subscription ends a moment before its request does
            Object answer = request.get(ENDING, TimeUnit.SECONDS);
            if (answer instanceof HttpResponse<?> r) {
                message += ": Swift answered " + r.statusCode();
                return SwiftConnection.TEMPORARY.contains(r.statusCode())
                        ? new StoreUnavailableException(message, null) : new IOException(message);
            }
            return new IOException(message);
        } catch (ExecutionException e) {
            return new StoreUnavailableException(message + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InterruptedIOException("interrupted while sending a segment");
        } catch (TimeoutException | CancellationException e) {
            return new IOException(message, e);
        }
    }

    /** Hands pieces to the subscriber while it wants them; on one thread at a time, whoever calls. */
    private void drain() {
        if (draining.getAndIncrement() != 0) {
            return;
        }
        do {
            Flow.Subscriber<? super ByteBuffer> s = subscriber;
            while (s != null && !done) {
                byte[] head = pieces.peek();
                if (head == null || (head != END && head != ABORT && demand.get() == 0)) {
                    break;
                }
                byte[] taken = pieces.poll(); // head, or ABORT if the writer aborted meanwhile
                if (taken == null) {
                    break;
                }
                if (taken == END || taken == ABORT) {
                    done = true;
                    if (taken == END) {
                        s.onComplete();
                    } else {
                        s.onError(new IOException("the segment's upload was aborted"));
                    }
                    break;
                }
                demand.decrementAndGet();
                s.onNext(ByteBuffer.wrap(taken));
            }
        } while (draining.decrementAndGet() != 0);
    }

    private void fail(Throwable t) {
        done = true;
        Flow.Subscriber<? super ByteBuffer> s = subscriber;
        if (s != null) {
            s.onError(t);
        }
    }
}
