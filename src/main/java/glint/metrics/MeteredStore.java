package glint.metrics;

import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.ByteSink;
import glint.store.StorageFullException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A store that counts its failures: {@code glint_store_errors_total{store, operation, kind}}, kind being
 * {@code not_found} (no blob at a location: a download then answers 204), {@code full} (413), {@code io} (any other
 * I/O failure: 500) or {@code other} (a failure that is not I/O), and the bytes read from it:
 * {@code glint_store_read_bytes_total{store}} (downloads, cache fills, copies). Everything else passes through unchanged.
 */
public final class MeteredStore implements BlobStore {
    private final BlobStore store;
    private final MeterRegistry registry;

    private final Counter readBytes;

    public MeteredStore(BlobStore store, MeterRegistry registry) {
        this.store = store;
        this.registry = registry;
        this.readBytes = Counter.builder("glint.store.read").baseUnit("bytes").tag("store", store.id())
                .description("Bytes read from the store").register(registry);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    private void counted(String operation, Action action) throws IOException {
        counted(operation, () -> {
            action.run();
            return null;
        });
    }

    private <T> T counted(String operation, Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (IOException | RuntimeException e) {
            Counter.builder("glint.store.errors").description("Failed store operations, by store, operation and kind")
                    .tag("store", store.id()).tag("operation", operation).tag("kind", kind(e))
                    .register(registry).increment();
            throw e;
        }
    }

    static String kind(Exception e) {
        if (e instanceof BlobNotFoundException) {
            return "not_found";
        }
        if (e instanceof StorageFullException) {
            return "full";
        }
        return e instanceof IOException ? "io" : "other";
    }

    @Override
    public String id() {
        return store.id();
    }

    @Override
    public String type() {
        return store.type();
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public boolean serves(String location) {
        return store.serves(location);
    }

    @Override
    public boolean readOnly() {
        return store.readOnly();
    }

    @Override
    public java.util.Map<String, Object> properties() {
        return store.properties();
    }

    @Override
    public BlobWriter create(String imageId) throws IOException {
        BlobWriter writer = counted("create", () -> store.create(imageId));
        return new BlobWriter() {
            @Override
            public String location() {
                return writer.location();
            }

            @Override
            public void write(ByteBuffer data) throws IOException {
                counted("write", () -> writer.write(data));
            }

            @Override
            public long bytesWritten() {
                return writer.bytesWritten();
            }

            @Override
            public String commit() throws IOException {
                return counted("commit", writer::commit);
            }

            @Override
            public void abort() {
                writer.abort();
            }
        };
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        counted("read", () -> store.read(location, offset, length, buffer -> {
            int n = buffer.remaining();
            sink.write(buffer);
            readBytes.increment(n);
        }));
    }

    @Override
    public long size(String location) throws IOException {
        return counted("size", () -> store.size(location));
    }

    @Override
    public void delete(String location) throws IOException {
        counted("delete", () -> store.delete(location));
    }

    @Override
    public void cleanup() throws IOException {
        counted("cleanup", store::cleanup);
    }

    @Override
    public Optional<String> problem() {
        return store.problem();
    }

    @Override
    public void close() {
        store.close();
    }
}
