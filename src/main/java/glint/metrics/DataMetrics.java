package glint.metrics;

import glint.data.UploadSource;
import glint.store.ByteSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Image data through the API: {@code glint_image_data_received_bytes_total{operation}} (request bodies of
 * {@code PUT /file}, {@code upload}, and {@code PUT /stage}, {@code stage}), {@code glint_image_data_sent_bytes_total}
 * (download response bodies) and {@code glint_image_uploads_in_flight{operation}}. Bytes are counted once per piece
 * or buffer that passes (Jetty's 256 KiB request chunks, the store's read windows), never per byte: an adder per
 * buffer, next to nothing beside the copy the kernel makes of it.
 */
public final class DataMetrics {
    /** Which request body: {@code PUT /v2/images/{id}/file} or {@code PUT /v2/images/{id}/stage}. */
    public enum Operation {
        UPLOAD, STAGE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Ends an upload's presence among those in flight. */
    public interface InFlight extends AutoCloseable {
        @Override
        void close();
    }

    private final Counter uploadBytes;
    private final Counter stageBytes;
    private final Counter sentBytes;
    private final AtomicInteger uploads = new AtomicInteger();
    private final AtomicInteger stages = new AtomicInteger();

    public DataMetrics(MeterRegistry registry) {
        this.uploadBytes = received(registry, Operation.UPLOAD);
        this.stageBytes = received(registry, Operation.STAGE);
        this.sentBytes = Counter.builder("glint.image.data.sent").baseUnit("bytes")
                .description("Image data sent in download responses").register(registry);
        inFlight(registry, Operation.UPLOAD, uploads);
        inFlight(registry, Operation.STAGE, stages);
    }

    private static Counter received(MeterRegistry registry, Operation op) {
        return Counter.builder("glint.image.data.received").baseUnit("bytes").tag("operation", op.label())
                .description("Image data received in request bodies, as it is read").register(registry);
    }

    private static void inFlight(MeterRegistry registry, Operation op, AtomicInteger count) {
        Gauge.builder("glint.image.uploads.in.flight", count, AtomicInteger::get).tag("operation", op.label())
                .strongReference(true).description("Image data requests being received").register(registry);
    }

    /** Counts an upload in flight until the returned handle closes. */
    public InFlight started(Operation op) {
        AtomicInteger count = op == Operation.UPLOAD ? uploads : stages;
        count.incrementAndGet();
        return count::decrementAndGet;
    }

    /** {@code source}, counting each piece's bytes as received. */
    public UploadSource received(UploadSource source, Operation op) {
        Counter bytes = counter(op);
        return () -> {
            UploadSource.Piece piece = source.next();
            if (piece != null) {
                bytes.increment(piece.length());
            }
            return piece;
        };
    }

    /** {@code in}, counting the bytes of each read as received. */
    public InputStream received(InputStream in, Operation op) {
        Counter bytes = counter(op);
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.increment();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytes.increment(n);
                }
                return n;
            }
        };
    }

    /** {@code sink}, counting each buffer's bytes as sent once the sink took them. */
    public ByteSink sent(ByteSink sink) {
        return buffer -> {
            int n = buffer.remaining();
            sink.write(buffer);
            sentBytes.increment(n);
        };
    }

    private Counter counter(Operation op) {
        return op == Operation.UPLOAD ? uploadBytes : stageBytes;
    }
}
