package glint.data;

import glint.error.ErrorKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.error.GlintException;
import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.store.FileStore;
import glint.store.StorageFullException;
import glint.testing.DatabaseNeutral;
import glint.testing.TestBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DatabaseNeutral
class UploadPipelineTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    private FileStore store;
    private ExecutorService threads;
    private final AtomicInteger tasks = new AtomicInteger();
    private BufferPool pool;
    private UploadPipeline pipeline;
    private final HashAlgorithm sha512 = HashAlgorithm.of("sha512");

    @BeforeEach
    void setUp() throws IOException {
        store = new FileStore("file", dir.resolve("images"));
        threads = Executors.newCachedThreadPool();
        pool = new BufferPool(MiB, 8);
        pipeline = new UploadPipeline(task -> {
            tasks.incrementAndGet();
            threads.execute(task);
        }, pool, 4);
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        store.close();
        assertThat(pool.inUse()).as("every leased buffer went back to the pool").isZero();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("images"))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void assertKind(Throwable e, ErrorKind kind) {
        assertThat(e).isInstanceOf(GlintException.class);
        assertThat(((GlintException) e).kind()).isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} bytes, {1}, {2} bytes per read, announced {3}")
    @CsvSource({
            "0, sha512, 65536, true",
            "0, sha512, 65536, false",
            "1, sha256, 1, false",
            "1048575, sha384, 8192, true",
            "1048576, sha512, 1048576, true",
            "1048577, sha3_256, 100000, false",
            "5767168, sha512, 16384, false",
            "5767171, sha512_256, 3000000, true",
            "3000000, SHA512, 65536, false",
    })
    void computesSizeMd5AndOsHashInOnePass(int size, String algorithm, int perRead, boolean announced) throws Exception {
        HashAlgorithm algo = HashAlgorithm.of(algorithm);
        TestBytes.Stream body = new TestBytes.Stream(size, size, perRead);
        BlobWriter writer = store.create(UUID.randomUUID().toString());
        UploadResult r = pipeline.run(body, writer, algo, UploadLimits.of(1L << 40)
                .withExpectedSize(announced ? OptionalLong.of(size) : OptionalLong.empty()), ContentCheck.NONE);

        assertThat(r.size()).isEqualTo(size);
        assertThat(r.md5()).isEqualTo(TestBytes.digest("MD5", size, size));
        assertThat(r.hashAlgorithm()).isEqualTo(algorithm);
        assertThat(r.hashValue()).isEqualTo(TestBytes.digest(algo.jdkName(), size, size));
        assertThat(r.location()).isEqualTo(writer.location());
        assertThat(store.size(r.location())).isEqualTo(size);
        TestBytes.CheckingSink stored = new TestBytes.CheckingSink(size, 0);
        store.read(r.location(), 0, size, stored);
        assertThat(stored.received()).isEqualTo(size);
        assertThat(tasks.get()).as("writer, MD5 and os_hash each on a worker thread").isEqualTo(3);
    }

    @Test
    void knownDigestsOfASmallBody() throws Exception {
        byte[] body = "The quick brown fox jumps over the lazy dog".getBytes();
        UploadResult r = pipeline.run(new java.io.ByteArrayInputStream(body), store.create("fox"), HashAlgorithm.of("sha256"),
                100, OptionalLong.of(body.length), ContentCheck.NONE);
        assertThat(r.md5()).isEqualTo("9e107d9d372bb6826bd81d3542a419d6");
        assertThat(r.hashValue()).isEqualTo("d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
    }

    @Test
    void storesOnAnotherThreadThanTheReader() throws Exception {
        Set<Thread> writing = ConcurrentHashMap.newKeySet();
        BlobWriter real = store.create("img");
        BlobWriter watched = new ForwardingWriter(real) {
            @Override
            public void write(ByteBuffer data) throws IOException {
                writing.add(Thread.currentThread());
                super.write(data);
            }
        };
        pipeline.run(new TestBytes.Stream(1, 3 * MiB, 65536), watched, sha512, 1L << 40, OptionalLong.empty(), ContentCheck.NONE);
        assertThat(writing).hasSize(1).doesNotContain(Thread.currentThread());
    }

    @Test
    void memoryPerUploadIsBoundedWhateverTheSize() throws Exception {
        long size = 64L * MiB + 3;
        for (int i = 0; i < 2; i++) {
            UploadResult r = pipeline.run(new TestBytes.Stream(i, size, 65536), store.create("big" + i), sha512,
                    1L << 40, OptionalLong.empty(), ContentCheck.NONE);
            assertThat(r.size()).isEqualTo(size);
        }
        assertThat(pool.peakInUse()).isLessThanOrEqualTo(4);
        assertThat(pool.allocated()).as("buffers are reused, not allocated per MiB or per upload").isLessThanOrEqualTo(4);
    }

    @Test
    void concurrentUploadsEachStayWithinTheirBuffers() throws Exception {
        int uploads = 4;
        ExecutorService callers = Executors.newFixedThreadPool(uploads);
        try {
            List<Future<UploadResult>> results = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                int seed = 40 + i;
                results.add(callers.submit(() -> pipeline.run(new TestBytes.Stream(seed, 9L * MiB + seed, 32768),
                        store.create("c" + seed), sha512, 1L << 40, OptionalLong.empty(), ContentCheck.NONE)));
            }
            for (int i = 0; i < uploads; i++) {
                int seed = 40 + i;
                assertThat(results.get(i).get().hashValue()).isEqualTo(TestBytes.digest("SHA-512", seed, 9L * MiB + seed));
            }
        } finally {
            callers.shutdown();
        }
        assertThat(pool.peakInUse()).isLessThanOrEqualTo(8); // the pool's cap, below 4 per upload × 4 uploads
        assertThat(files()).hasSize(uploads);
    }

    @Test
    void uploadsShareACappedPoolWhenItRunsDry() throws Exception {
        BufferPool small = new BufferPool(MiB, 3);
        UploadPipeline sharing = new UploadPipeline(threads, small, 4);
        int uploads = 6;
        ExecutorService callers = Executors.newFixedThreadPool(uploads);
        try {
            List<Future<UploadResult>> results = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                int seed = 60 + i;
                results.add(callers.submit(() -> sharing.run(new TestBytes.Stream(seed, 5L * MiB + seed, 65536),
                        store.create("s" + seed), sha512, 1L << 40, OptionalLong.empty(), ContentCheck.NONE)));
            }
            for (int i = 0; i < uploads; i++) {
                int seed = 60 + i;
                assertThat(results.get(i).get().md5()).isEqualTo(TestBytes.digest("MD5", seed, 5L * MiB + seed));
            }
        } finally {
            callers.shutdown();
        }
        assertThat(small.allocated()).isLessThanOrEqualTo(3);
        assertThat(small.peakInUse()).isLessThanOrEqualTo(3);
        assertThat(small.inUse()).isZero();
    }

    @Test
    void sizeCapAbortsWithoutReadingTheRest() throws Exception {
        TestBytes.Stream body = new TestBytes.Stream(2, 50L * MiB, 65536);
        assertThatThrownBy(() -> pipeline.run(body, store.create("img"), sha512, 3L * MiB, OptionalLong.empty(), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.TOO_LARGE))
                .hasMessage("The incoming image is too large: The provided image is too large.");
        assertThat(body.consumed()).isLessThanOrEqualTo(3L * MiB + MiB);
        assertThat(files()).isEmpty();
    }

    @Test
    void exactlyTheCapIsAccepted() throws Exception {
        UploadResult r = pipeline.run(new TestBytes.Stream(3, 2L * MiB, 65536), store.create("img"), sha512, 2L * MiB,
                OptionalLong.empty(), ContentCheck.NONE);
        assertThat(r.size()).isEqualTo(2L * MiB);
    }

    @Test
    void announcedSizeOverTheCapIsRefusedBeforeReading() throws Exception {
        TestBytes.Stream body = new TestBytes.Stream(4, 10L * MiB, 65536);
        assertThatThrownBy(() -> pipeline.run(body, store.create("img"), sha512, 3L * MiB, OptionalLong.of(10L * MiB), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.TOO_LARGE));
        assertThat(body.consumed()).isZero();
        assertThat(files()).isEmpty();
    }

    @Test
    void remainingQuotaIsEnforcedWithGlancesMessage() throws Exception {
        TestBytes.Stream body = new TestBytes.Stream(5, 10L * MiB, 65536);
        UploadLimits limits = UploadLimits.of(1L << 40).withQuotaRemaining(2L * MiB);
        assertThatThrownBy(() -> pipeline.run(body, store.create("img"), sha512, limits, ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.TOO_LARGE))
                .hasMessageStartingWith("Image exceeds the storage quota: The size of the data ")
                .hasMessageEndingWith(" will exceed the limit. 2097152 bytes remaining.");
        assertThat(body.consumed()).isLessThanOrEqualTo(3L * MiB);
        assertThat(files()).isEmpty();

        TestBytes.Stream announced = new TestBytes.Stream(5, 10L * MiB, 65536);
        assertThatThrownBy(() -> pipeline.run(announced, store.create("img"), sha512,
                limits.withExpectedSize(OptionalLong.of(10L * MiB)), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.TOO_LARGE))
                .hasMessage("Image exceeds the storage quota: The size of the data 10485760 will exceed the limit. "
                        + "2097152 bytes remaining.");
        assertThat(announced.consumed()).isZero();
    }

    /** Records what it is fed: the bytes' CRC in order, and whether each view was read-only. */
    private static final class RecordingCheck implements ContentCheck {
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long fed;
        boolean allReadOnly = true;
        final GlintException refusal;

        RecordingCheck(GlintException refusal) {
            this.refusal = refusal;
        }

        @Override
        public void feed(ByteBuffer data) {
            allReadOnly &= data.isReadOnly();
            fed += data.remaining();
            crc.update(data);
        }

        @Override
        public OptionalLong finish() {
            if (refusal != null) {
                throw refusal;
            }
            return OptionalLong.of(fed * 2);
        }
    }

    @ParameterizedTest(name = "{0} bytes, {1} bytes per read")
    @CsvSource({"0, 65536", "1, 1", "3000001, 65536", "5767171, 3000000"})
    void theContentCheckSeesEveryByteInOrderAndGivesTheVirtualSize(int size, int perRead) throws Exception {
        RecordingCheck check = new RecordingCheck(null);
        UploadResult r = pipeline.run(new TestBytes.Stream(size, size, perRead), store.create("img"), sha512,
                UploadLimits.of(1L << 40), check);
        java.util.zip.CRC32 expected = new java.util.zip.CRC32();
        TestBytes.Stream again = new TestBytes.Stream(size, size, 65536);
        byte[] b = new byte[65536];
        for (int n; (n = again.read(b)) > 0; ) {
            expected.update(b, 0, n);
        }
        assertThat(check.fed).isEqualTo(size);
        assertThat(check.crc.getValue()).isEqualTo(expected.getValue());
        assertThat(check.allReadOnly).as("the check cannot change the data").isTrue();
        assertThat(r.virtualSize()).hasValue(2L * size);
        assertThat(store.size(r.location())).isEqualTo(size);
    }

    @Test
    void dataTheContentCheckRefusesIsNotKept() throws Exception {
        RecordingCheck check = new RecordingCheck(new GlintException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "not a qcow2"));
        assertThatThrownBy(() -> pipeline.run(new TestBytes.Stream(12, 3L * MiB, 65536), store.create("img"), sha512,
                UploadLimits.of(1L << 40), check))
                .satisfies(e -> assertKind(e, ErrorKind.UNSUPPORTED_MEDIA_TYPE)).hasMessage("not a qcow2");
        assertThat(check.fed).as("judged after the whole body").isEqualTo(3L * MiB);
        assertThat(files()).isEmpty();
    }

    @Test
    void aContentCheckThatFailsWhileFedLeavesNothingAndLeaksNoBuffer() throws Exception {
        ContentCheck broken = new ContentCheck() {
            long fed;

            @Override
            public void feed(ByteBuffer data) {
                fed += data.remaining();
                if (fed > MiB) {
                    throw new IllegalStateException("inspector bug");
                }
            }

            @Override
            public OptionalLong finish() {
                return OptionalLong.empty();
            }
        };
        assertThatThrownBy(() -> pipeline.run(new TestBytes.Stream(13, 4L * MiB, 65536), store.create("img"), sha512,
                UploadLimits.of(1L << 40), broken)).isInstanceOf(IllegalStateException.class);
        assertThat(files()).isEmpty(); // and tearDown checks that every buffer went back to the pool
    }

    @Test
    void lessDataThanAnnouncedIsABadRequest() throws Exception {
        assertThatThrownBy(() -> pipeline.run(new TestBytes.Stream(6, 4L * MiB, 65536), store.create("img"), sha512,
                1L << 40, OptionalLong.of(5L * MiB), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.BAD_REQUEST))
                .hasMessageContaining("5242880");
        assertThat(files()).isEmpty();
    }

    @Test
    void moreDataThanAnnouncedIsABadRequestWithoutReadingTheRest() throws Exception {
        TestBytes.Stream body = new TestBytes.Stream(7, 30L * MiB, 65536);
        assertThatThrownBy(() -> pipeline.run(body, store.create("img"), sha512, 1L << 40, OptionalLong.of(MiB + 1), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.BAD_REQUEST));
        assertThat(body.consumed()).isLessThanOrEqualTo(2L * MiB);
        assertThat(files()).isEmpty();
    }

    @Test
    void aClientThatGoesAwayLeavesNothing() throws Exception {
        InputStream body = new FailingStream(new TestBytes.Stream(8, 10L * MiB, 65536), 5L * MiB / 2);
        assertThatThrownBy(() -> pipeline.run(body, store.create("img"), sha512, 1L << 40, OptionalLong.of(10L * MiB), ContentCheck.NONE))
                .isInstanceOf(IOException.class).hasMessage("connection reset");
        assertThat(files()).isEmpty();
    }

    @Test
    void aFailingStoreStopsTheUploadAndLeavesNothing() throws Exception {
        TestBytes.Stream body = new TestBytes.Stream(9, 40L * MiB, 65536);
        BlobWriter failing = new FailingWriter(store.create("img"), 3L * MiB, new IOException("I/O error"));
        assertThatThrownBy(() -> pipeline.run(body, failing, sha512, 1L << 40, OptionalLong.empty(), ContentCheck.NONE))
                .isInstanceOf(IOException.class).hasMessage("I/O error");
        assertThat(body.consumed()).as("the reader stops soon after the writer failed").isLessThan(10L * MiB);
        assertThat(files()).isEmpty();
    }

    @Test
    void aFullStoreIsTooLargeAsInGlance() throws Exception {
        BlobWriter full = new FailingWriter(store.create("img"), MiB,
                new StorageFullException("No space left on device", null));
        assertThatThrownBy(() -> pipeline.run(new TestBytes.Stream(10, 8L * MiB, 65536), full, sha512, 1L << 40,
                OptionalLong.empty(), ContentCheck.NONE))
                .satisfies(e -> assertKind(e, ErrorKind.TOO_LARGE))
                .hasMessage("Image storage media is full: No space left on device");
        assertThat(files()).isEmpty();
    }

    @Test
    void aRejectedWorkerAbortsCleanly() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        UploadPipeline starved = new UploadPipeline(task -> {
            if (accepted.incrementAndGet() > 1) {
                throw new java.util.concurrent.RejectedExecutionException("shut down");
            }
            threads.execute(task);
        }, pool, 4);
        assertThatThrownBy(() -> starved.run(new TestBytes.Stream(11, MiB, 65536), store.create("img"), sha512, 1L << 40,
                OptionalLong.empty(), ContentCheck.NONE)).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        assertThat(files()).isEmpty();
    }

    @Test
    void unknownHashingAlgorithmIsAConfigurationError() {
        assertThatThrownBy(() -> HashAlgorithm.of("blake2b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sha512");
    }

    /** A body whose connection breaks after {@code limit} bytes. */
    private static final class FailingStream extends InputStream {
        private final InputStream in;
        private final long limit;
        private long read;

        FailingStream(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read >= limit) {
                throw new IOException("connection reset");
            }
            int n = in.read(b, off, (int) Math.min(len, limit - read));
            read += Math.max(n, 0);
            return n;
        }
    }

    /** A real writer that breaks (disk error, disk full) once {@code limit} bytes have been written. */
    private static final class FailingWriter extends ForwardingWriter {
        private final long limit;
        private final IOException failure;

        FailingWriter(BlobWriter real, long limit, IOException failure) {
            super(real);
            this.limit = limit;
            this.failure = failure;
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            if (bytesWritten() + data.remaining() > limit) {
                throw failure;
            }
            super.write(data);
        }
    }

    private static class ForwardingWriter implements BlobWriter {
        private final BlobWriter real;

        ForwardingWriter(BlobWriter real) {
            this.real = real;
        }

        @Override
        public String location() {
            return real.location();
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            real.write(data);
        }

        @Override
        public long bytesWritten() {
            return real.bytesWritten();
        }

        @Override
        public String commit() throws IOException {
            return real.commit();
        }

        @Override
        public void abort() {
            real.abort();
        }
    }
}
