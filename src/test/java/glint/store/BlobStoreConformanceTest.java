package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.TestBytes;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} backend must do, as distribution/distribution's storage driver test suite: each
 * backend's test extends this class and says how to open its store.
 */
public abstract class BlobStoreConformanceTest {
    protected BlobStore store;

    /** A store over fresh, empty backing storage (a temporary directory, a new bucket...). */
    protected abstract BlobStore openStore() throws Exception;

    /** A new instance over the same backing storage, as after a restart of the process. */
    protected abstract BlobStore reopenStore() throws Exception;

    /** Everything the backend physically holds (files, objects, partial uploads), by name: to prove nothing leaks. */
    protected abstract List<String> storedObjects() throws Exception;

    /**
     * Makes a writer look like one of a process that was killed (no commit, no abort, the process gone), to the
     * store and to a {@link #reopenStore() reopened} one.
     */
    protected abstract void crash(BlobWriter writer) throws Exception;

    /** The largest buffer a download may hand to a sink: downloads must not need memory in proportion to a blob. */
    protected long maxReadBuffer() {
        return 64L << 20;
    }

    @BeforeEach
    void openTheStore() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        store.close();
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Writes {@code size} bytes of data set {@code seed} in writes of {@code chunk} bytes and commits. */
    protected String put(String id, long seed, int size, int chunk) throws Exception {
        byte[] data = TestBytes.bytes(seed, size);
        BlobWriter w = store.create(id);
        for (int off = 0; off < size; off += chunk) {
            w.write(ByteBuffer.wrap(data, off, Math.min(chunk, size - off)));
        }
        assertThat(w.bytesWritten()).isEqualTo(size);
        String location = w.commit();
        assertThat(location).isEqualTo(w.location());
        return location;
    }

    protected byte[] get(String location, long offset, long length) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.read(location, offset, length, buf -> {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            out.write(b);
        });
        return out.toByteArray();
    }

    @Test
    void identifiesItself() {
        assertThat(store.id()).isNotBlank();
        assertThat(store.type()).isNotBlank();
    }

    @Test
    void aWorkingStoreHasNoProblem() throws Exception {
        assertThat(store.problem()).isEmpty();
        put(newId(), 1, 10, 10);
        assertThat(store.problem()).as("after a write too").isEmpty();
    }

    @Test
    void committedDataReadsBackWhole() throws Exception {
        int size = 3 * 1024 * 1024 + 17;
        String location = put(newId(), 1, size, 100_000);
        assertThat(store.size(location)).isEqualTo(size);
        assertThat(get(location, 0, size)).isEqualTo(TestBytes.bytes(1, size));
    }

    @Test
    void nothingIsVisibleBeforeCommit() throws Exception {
        BlobWriter w = store.create(newId());
        w.write(ByteBuffer.wrap(TestBytes.bytes(2, 1000)));
        assertThatThrownBy(() -> store.size(w.location())).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> get(w.location(), 0, 1)).isInstanceOf(BlobNotFoundException.class);
        w.commit();
        assertThat(store.size(w.location())).isEqualTo(1000);
    }

    @Test
    void readsRanges() throws Exception {
        int size = 1_000_003;
        byte[] all = TestBytes.bytes(3, size);
        String location = put(newId(), 3, size, 65536);
        long[][] ranges = {{0, 1}, {0, size}, {size - 1, 1}, {12345, 678}, {500_000, size - 500_000}, {size, 0}, {7, 0}};
        for (long[] r : ranges) {
            byte[] expected = java.util.Arrays.copyOfRange(all, (int) r[0], (int) (r[0] + r[1]));
            assertThat(get(location, r[0], r[1])).as("range %d+%d", r[0], r[1]).isEqualTo(expected);
        }
    }

    @Test
    void refusesRangesPastTheEndWithoutSendingAnything() throws Exception {
        String location = put(newId(), 4, 1000, 1000);
        List<Integer> sent = new ArrayList<>();
        assertThatThrownBy(() -> store.read(location, 900, 101, b -> sent.add(b.remaining()))).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> store.read(location, 1001, 0, b -> sent.add(b.remaining()))).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> store.read(location, -1, 10, b -> sent.add(b.remaining())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(sent).isEmpty();
    }

    @Test
    void unknownLocationsAreNotFound() throws Exception {
        String location = put(newId(), 5, 10, 10);
        store.delete(location);
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> get(location, 0, 0)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> store.size("nonsense:/x")).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void abortLeavesNothing() throws Exception {
        BlobWriter w = store.create(newId());
        w.write(ByteBuffer.wrap(TestBytes.bytes(6, 2 << 20)));
        w.abort();
        w.abort(); // idempotent
        assertThat(storedObjects()).isEmpty();
        assertThatThrownBy(() -> store.size(w.location())).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> w.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingWithoutCommitAbortsAndAfterCommitKeeps() throws Exception {
        String kept;
        try (BlobWriter w = store.create(newId())) {
            w.write(ByteBuffer.wrap(TestBytes.bytes(7, 100)));
            kept = w.commit();
            assertThat(w.commit()).isEqualTo(kept); // a second commit changes nothing
        }
        try (BlobWriter w = store.create(newId())) {
            w.write(ByteBuffer.wrap(TestBytes.bytes(7, 100)));
        }
        assertThat(storedObjects()).hasSize(1);
        assertThat(get(kept, 0, 100)).isEqualTo(TestBytes.bytes(7, 100));
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        String a = put(newId(), 8, 1000, 1000);
        String b = put(newId(), 9, 1000, 1000);
        store.delete(a);
        store.delete(a);
        assertThatThrownBy(() -> store.size(a)).isInstanceOf(BlobNotFoundException.class);
        assertThat(store.size(b)).isEqualTo(1000);
        assertThat(storedObjects()).hasSize(1);
    }

    @Test
    void emptyBlob() throws Exception {
        BlobWriter w = store.create(newId());
        assertThat(w.bytesWritten()).isZero();
        String location = w.commit();
        assertThat(store.size(location)).isZero();
        assertThat(get(location, 0, 0)).isEmpty();
    }

    @Test
    void largeBlobIsStreamedInManyChunksBothWays() throws Exception {
        long size = (40L << 20) + 12345;
        BlobWriter w = store.create(newId());
        try (TestBytes.Stream in = new TestBytes.Stream(10, size, Integer.MAX_VALUE)) {
            byte[] chunk = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk, 0, chunk.length)) > 0) {
                w.write(ByteBuffer.wrap(chunk, 0, n));
            }
        }
        String location = w.commit();
        assertThat(store.size(location)).isEqualTo(size);

        TestBytes.CheckingSink whole = new TestBytes.CheckingSink(10, 0);
        store.read(location, 0, size, whole);
        assertThat(whole.received()).isEqualTo(size);
        assertThat(whole.largestBuffer()).isLessThanOrEqualTo(maxReadBuffer());

        long offset = (16L << 20) - 3; // across window boundaries of a mapping reader
        TestBytes.CheckingSink part = new TestBytes.CheckingSink(10, offset);
        store.read(location, offset, (17L << 20) + 5, part);
        assertThat(part.received()).isEqualTo((17L << 20) + 5);
    }

    @Test
    void cleanupLeavesLiveWritersAlone() throws Exception {
        BlobWriter live = store.create(newId());
        live.write(ByteBuffer.wrap(TestBytes.bytes(13, 1000)));
        store.cleanup();
        live.write(ByteBuffer.wrap(TestBytes.bytes(13, 1000)));
        assertThat(store.size(live.commit())).isEqualTo(2000);
    }

    @Test
    void concurrentWritersForDifferentImages() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int seed = 100 + i;
                Callable<String> job = () -> put(newId(), seed, 1_500_000 + seed, 32 * 1024 + seed);
                done.add(pool.submit(job));
            }
            for (int i = 0; i < writers; i++) {
                int seed = 100 + i;
                String location = done.get(i).get();
                assertThat(get(location, 0, 1_500_000 + seed)).isEqualTo(TestBytes.bytes(seed, 1_500_000 + seed));
            }
            assertThat(storedObjects()).hasSize(writers);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void cleanupRemovesUnfinishedWritesButNotCommittedData() throws Exception {
        String committed = put(newId(), 11, 2 << 20, 1 << 16);
        BlobWriter unfinished = store.create(newId()); // the process "dies" while writing: no commit, no abort
        unfinished.write(ByteBuffer.wrap(TestBytes.bytes(12, 1 << 20)));
        crash(unfinished);

        BlobStore restarted = reopenStore();
        try {
            restarted.cleanup();
            assertThat(storedObjects()).hasSize(1);
            assertThat(restarted.size(committed)).isEqualTo(2 << 20);
            assertThatThrownBy(() -> restarted.size(unfinished.location())).isInstanceOf(BlobNotFoundException.class);
            TestBytes.CheckingSink sink = new TestBytes.CheckingSink(11, 0);
            restarted.read(committed, 0, 2 << 20, sink);
            assertThat(sink.received()).isEqualTo(2 << 20);
        } finally {
            restarted.close();
        }
    }
}
