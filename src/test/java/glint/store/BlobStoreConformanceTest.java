package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import glint.testing.TestBytes;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} backend must do, as distribution/distribution's storage driver test suite: each
 * backend's test extends this class and says how to open its store; the rules are all here, run unchanged.
 */
@DatabaseNeutral
public abstract class BlobStoreConformanceTest {
    protected BlobStore store;

    /** A store over fresh, empty backing storage (a temporary directory, a new bucket...). */
    protected abstract BlobStore openStore() throws Exception;

    /**
     * A new instance over the same backing storage, as after a restart of the process (or another node), with the
     * default age bound {@link BlobStore#STALE_AFTER} measured on {@code clock}.
     */
    protected abstract BlobStore reopenStore(Clock clock) throws Exception;

    /** Everything the backend physically holds (files, objects, partial uploads), by name: to prove nothing leaks. */
    protected abstract List<String> storedObjects() throws Exception;

    /** More than two parts of the smallest size S3 allows: an interrupted write has left something behind. */
    private static final int UNFINISHED = 12 << 20;

    /**
     * A writer of a process that was killed: no commit, no abort, and the process gone. The writer is never touched
     * again, and its store is closed (what it had in flight settles) and not used either, only a reopened one.
     */
    private void crash(BlobWriter writer) {
        store.close();
    }

    /** A write of {@link #UNFINISHED} bytes to {@code id} whose process was killed. */
    private BlobWriter interruptedWrite(String id, long seed) throws Exception {
        BlobWriter unfinished = store.create(id); // the process "dies" while writing: no commit, no abort
        unfinished.write(ByteBuffer.wrap(TestBytes.bytes(seed, UNFINISHED)));
        crash(unfinished);
        return unfinished;
    }

    private BlobStore restartedLater() throws Exception {
        return reopenStore(Clock.offset(Clock.systemUTC(), BlobStore.STALE_AFTER.plus(Duration.ofMinutes(1))));
    }

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
        return TestBytes.readBack(store, location, offset, length);
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
    void servesItsOwnLocationsWithOrWithoutABlobAndNoOthers() throws Exception {
        String location = put(newId(), 6, 10, 10);
        assertThat(store.serves(location)).isTrue();
        store.delete(location);
        assertThat(store.serves(location)).isTrue();
        assertThat(store.serves("http://example.com/" + newId())).isFalse();
        assertThat(store.serves(location.replace(newIdOf(location), "../" + newIdOf(location)))).isFalse();
        assertThat(store.serves("nonsense:/x")).isFalse();
        assertThat(store.readOnly()).isFalse();
    }

    private static String newIdOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /**
     * A caller journals {@code location()} between {@code create} and the first write (ImageDataService, ImportBlobs):
     * a process killed in between must leave nothing that only an age-bound {@code cleanup()} would find.
     */
    @Test
    void createStoresNothingBeforeTheFirstByte() throws Exception {
        BlobWriter w = store.create(newId());
        assertThat(storedObjects()).as("a created writer that never wrote").isEmpty();
        w.abort();
        assertThat(storedObjects()).isEmpty();
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
    void cleanupRemovesStaleInterruptedWritesButNotCommittedData() throws Exception {
        String committed = put(newId(), 11, 2 << 20, 1 << 16);
        BlobWriter unfinished = interruptedWrite(newId(), 12);
        assertThat(storedObjects()).hasSize(2);

        BlobStore restarted = restartedLater();
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

    @Test
    void cleanupLeavesYoungInterruptedWritesAloneAndDeleteRemovesThem() throws Exception {
        String id = newId();
        BlobWriter unfinished = interruptedWrite(id, 14);
        BlobStore restarted = reopenStore(Clock.systemUTC());
        try {
            restarted.cleanup(); // as young as a live upload of another node: kept
            assertThat(storedObjects()).isNotEmpty();
            restarted.delete(unfinished.location()); // this node's journal names it: removed at once
            assertThat(storedObjects()).isEmpty();
            assertThatThrownBy(() -> restarted.size(unfinished.location())).isInstanceOf(BlobNotFoundException.class);
            String again = restarted.create(id).location(); // the image can be uploaded again
            assertThat(again).isEqualTo(unfinished.location());
        } finally {
            restarted.close();
        }
    }

    @Test
    void deleteLeavesAWriteOpenInThisProcessAlone() throws Exception {
        String id = newId();
        BlobWriter live = store.create(id);
        live.write(ByteBuffer.wrap(TestBytes.bytes(15, 1000)));
        store.delete(live.location());
        live.write(ByteBuffer.wrap(TestBytes.bytes(15, 1000)));
        assertThat(store.size(live.commit())).isEqualTo(2000);
    }

    @Test
    void refusesToOverwriteCommittedData() throws Exception {
        String id = newId();
        String location = put(id, 16, 10, 10);
        assertThatThrownBy(() -> store.create(id)).isInstanceOf(BlobExistsException.class);
        assertThat(get(location, 0, 10)).isEqualTo(TestBytes.bytes(16, 10));
        assertThat(storedObjects()).hasSize(1);
    }

    @Test
    void refusesInvalidNames() {
        for (String bad : List.of("", ".", "..", "../x", "a/b", ".hidden", "x\u0000", "a b", "x".repeat(201))) {
            assertThatThrownBy(() -> store.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void concurrentReadersOfOneBlob() throws Exception {
        int size = 5_000_011;
        String location = put(newId(), 17, size, 1 << 20);
        int readers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                long offset = i * 100_000L;
                done.add(pool.submit(() -> {
                    start.await();
                    TestBytes.CheckingSink sink = new TestBytes.CheckingSink(17, offset);
                    store.read(location, offset, size - offset, sink);
                    return sink.received() + offset;
                }));
            }
            start.countDown();
            for (Future<Long> f : done) {
                assertThat(f.get()).isEqualTo(size);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aReadRacingADeleteDeliversTheBlobsBytesOrFails() throws Exception {
        long size = (24L << 20) + 7;
        String location = put(newId(), 18, (int) size, 1 << 20);
        TestBytes.CheckingSink checking = new TestBytes.CheckingSink(18, 0); // fails on any wrong byte
        boolean[] deleted = {false};
        try {
            store.read(location, 0, size, buf -> {
                if (!deleted[0]) {
                    deleted[0] = true;
                    store.delete(location); // while the read is under way
                }
                checking.write(buf);
            });
            assertThat(checking.received()).isEqualTo(size); // the read completed: all of the blob's bytes
        } catch (java.io.IOException e) {
            assertThat(checking.received()).isLessThan(size); // or it failed, after a correct prefix
        }
        assertThat(deleted[0]).isTrue();
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(BlobNotFoundException.class);
        assertThat(storedObjects()).isEmpty();
    }
}
