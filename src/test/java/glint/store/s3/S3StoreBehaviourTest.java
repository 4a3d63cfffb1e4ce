package glint.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.S3Proxy;
import glint.testing.TcpProxy;
import glint.testing.TestBytes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the s3 store does beyond the conformance suite: parts, memory, the bucket, failures; against S3Proxy. */
@DatabaseNeutral
class S3StoreBehaviourTest {
    private static final int MIB = 1 << 20;
    private final S3Proxy s3 = S3Proxy.shared();
    private final String bucket = s3.newBucket();
    private final List<BlobStore> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(BlobStore::close);
    }

    private S3Store store(String... options) {
        return store(BlobStore.STALE_AFTER, Clock.systemUTC(), options);
    }

    private S3Store store(Duration staleAfter, Clock clock, String... options) {
        S3Store store = new S3Store("objects", S3Options.parse("objects", s3.storeOptions(bucket, options)), staleAfter, clock);
        opened.add(store);
        return store;
    }

    /** Writes {@code size} bytes of data set {@code seed} in writes of 64 KiB, the size never told to the store. */
    private static void write(BlobWriter w, long seed, long size) throws IOException {
        try (TestBytes.Stream in = new TestBytes.Stream(seed, size, Integer.MAX_VALUE)) {
            byte[] chunk = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk, 0, chunk.length)) > 0) {
                w.write(ByteBuffer.wrap(chunk, 0, n));
            }
        }
    }

    private static void assertHolds(BlobStore store, String location, long seed, long size) throws IOException {
        assertThat(store.size(location)).isEqualTo(size);
        TestBytes.CheckingSink sink = new TestBytes.CheckingSink(seed, 0);
        store.read(location, 0, size, sink);
        assertThat(sink.received()).isEqualTo(size);
    }

    @Test
    void aBlobOfUnknownSizeGoesUpAsAMultipartUploadVisibleOnlyOnceCompleted() throws Exception {
        S3Store store = store("s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "2");
        String id = UUID.randomUUID().toString();
        BlobWriter w = store.create(id);
        write(w, 1, 23L * MIB + 3);
        assertThat(s3.storedObjects(bucket)).containsExactly("upload " + id); // parts sent, nothing readable
        String location = w.commit();
        assertThat(s3.storedObjects(bucket)).containsExactly(id);
        assertHolds(store, location, 1, 23L * MIB + 3);
    }

    @Test
    void aBlobThatFitsOnePartBelowTheLargeObjectSizeGoesUpInOnePutAtCommit() throws Exception {
        S3Store store = store("s3_store_large_object_chunk_size", "5", "s3_store_large_object_size", "100");
        for (int size : new int[] {0, 1, 5 * MIB}) { // empty, tiny, exactly one part
            String id = UUID.randomUUID().toString();
            BlobWriter w = store.create(id);
            write(w, size, size);
            assertThat(s3.storedObjects(bucket)).as("nothing on the service before commit").doesNotContain("upload " + id, id);
            assertHolds(store, w.commit(), size, size);
        }
        S3Store multipartOnly = store("s3_store_large_object_chunk_size", "5", "s3_store_large_object_size", "0");
        BlobWriter w = multipartOnly.create(UUID.randomUUID().toString());
        write(w, 9, 1000); // s3_store_large_object_size = 0: one part of a multipart upload, as glance_store
        assertHolds(multipartOnly, w.commit(), 9, 1000);
    }

    @Test
    void partsInFlightAreBoundedByThePoolWhateverTheBlobSize() throws Exception {
        // 5 MiB parts, 2 sender threads: a pool of 3 part buffers (2 in flight, 1 filling) for the whole store
        S3Store store = store("s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "2");
        BufferPool parts = store.partBuffers();
        assertThat(parts.maxBuffers()).isEqualTo(3);
        long size = 64L * MIB + 1;
        BlobWriter one = store.create(UUID.randomUUID().toString());
        write(one, 2, size);
        assertHolds(store, one.commit(), 2, size);
        assertThat(parts.allocated()).isLessThanOrEqualTo(3);

        ExecutorService uploads = Executors.newFixedThreadPool(3); // three uploads at once share the same three buffers
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long seed = 10 + i;
                done.add(uploads.submit(() -> {
                    BlobWriter w = store.create(UUID.randomUUID().toString());
                    write(w, seed, 24L * MIB);
                    return w.commit();
                }));
            }
            for (int i = 0; i < 3; i++) {
                assertHolds(store, done.get(i).get(), 10 + i, 24L * MIB);
            }
        } finally {
            uploads.shutdown();
        }
        assertThat(parts.allocated()).as("part buffers ever allocated").isLessThanOrEqualTo(3);
        assertThat(parts.peakInUse()).isLessThanOrEqualTo(3);
        assertThat(parts.inUse()).isZero();
        System.out.printf("s3 part memory: %d MiB blobs, peak %d part buffers of 5 MiB in use = %d MiB%n",
                size / MIB, parts.peakInUse(), parts.peakInUse() * 5);
    }

    /**
     * The lower bound beside the one above: parts go up in parallel, not one after the other. A proxy in front of the
     * service holds every part PUT back until the test lets them go; with two sender threads two are held at once
     * (a writer that sent its parts one at a time would wait for the first forever, and a third is never sent).
     */
    @Test
    void twoSenderThreadsSendTwoPartsAtOnce() throws Exception {
        URI service = URI.create("http://" + s3.storeOptions(bucket).get("s3_store_host"));
        ExecutorService writing = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try (TcpProxy proxy = new TcpProxy(service.getHost(), service.getPort(), true)) {
            AtomicInteger held = new AtomicInteger();
            proxy.onRequest(head -> {
                if (head.method().equals("PUT") && head.target().contains("partNumber=")) {
                    held.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            S3Store store = store("s3_store_host", "127.0.0.1:" + proxy.port(), "s3_store_large_object_chunk_size", "5",
                    "s3_store_thread_pools", "2");
            long size = 16L * MIB; // parts 1 and 2 sent, 3 filled, and the writer waits for a buffer
            Future<String> written = writing.submit(() -> {
                BlobWriter w = store.create(UUID.randomUUID().toString());
                write(w, 21, size);
                return w.commit();
            });
            Poll.until("two part PUTs in flight at once", Duration.ofSeconds(30), () -> held.get() >= 2);
            assertThat(held.get()).as("part PUTs in flight").isEqualTo(2); // two sender threads: no third
            release.countDown();
            assertHolds(store, written.get(), 21, size);
        } finally {
            release.countDown();
            writing.shutdownNow();
        }
    }

    @Test
    void thePoolIsAQuarterOfTheHeapAtMostAndTwoPartsAtLeast() {
        S3Options defaults = S3Options.parse("o", s3.storeOptions(bucket)); // 10 MiB parts, 10 threads
        assertThat(S3Store.partBuffers(defaults, 8L << 30)).isEqualTo(11);
        assertThat(S3Store.partBuffers(defaults, 128L * MIB)).isEqualTo(3); // ./glint serve's -Xmx128m
        assertThat(S3Store.partBuffers(defaults, 32L * MIB)).isEqualTo(2);
    }

    @Test
    void abortLeavesNoMultipartUploadAndNoPart() throws Exception {
        S3Store store = store("s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "3");
        BlobWriter w = store.create(UUID.randomUUID().toString());
        write(w, 3, 17L * MIB);
        assertThat(s3.multipartUploads(bucket)).hasSize(1);
        w.abort();
        assertThat(s3.storedObjects(bucket)).isEmpty();
        assertThat(s3.filesOnDisk(bucket)).isEmpty();
        assertThat(store.partBuffers().inUse()).isZero();
    }

    @Test
    void cleanupAbortsStaleUploadsButNotYoungOnesOrThoseOfThisProcess() throws Exception {
        S3Store store = store("s3_store_large_object_chunk_size", "5");
        BlobWriter live = store.create(UUID.randomUUID().toString());
        write(live, 4, 12L * MIB);
        String deadNodes = s3.client().createMultipartUpload(b -> b.bucket(bucket).key("dead-" + UUID.randomUUID())).uploadId();
        s3.client().createMultipartUpload(b -> b.bucket(bucket).key("not/a-blob-name"));

        store.cleanup(); // everything is young
        assertThat(s3.multipartUploads(bucket)).hasSize(3);

        S3Store later = store(BlobStore.STALE_AFTER, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)),
                "s3_store_large_object_chunk_size", "5");
        BlobWriter latersOwn = later.create(UUID.randomUUID().toString());
        write(latersOwn, 5, 12L * MIB);
        // the writers hand full parts to sender threads: the stale upload is judged with its parts listed, as it would
        // be on another node an hour on (S3Proxy's older "filesystem" backend failed ListParts once an upload had
        // parts, so this case passed only while they were in flight)
        for (String upload : s3.multipartUploads(bucket)) {
            if (!upload.startsWith("not/") && !upload.startsWith("dead-")) {
                Poll.until("both parts of " + upload + " listed", Duration.ofSeconds(30), () -> s3.hasParts(bucket, upload, 2));
            }
        }
        later.cleanup(); // two hours on, as another node: the dead node's upload and the other process's are stale
        assertThat(s3.multipartUploads(bucket)).as("its own open upload stays, and keys that are no blob name")
                .hasSize(2).noneMatch(u -> u.endsWith(deadNodes)).anyMatch(u -> u.startsWith("not/a-blob-name "));
        assertHolds(later, latersOwn.commit(), 5, 12L * MIB);
        assertThatThrownBy(live::commit).isInstanceOf(IOException.class); // its upload was taken: fails cleanly
        assertThat(store.partBuffers().inUse()).isZero();
    }

    @Test
    void rangedReadsFetchOnlyTheRange() throws Exception {
        S3Store store = store("s3_store_large_object_chunk_size", "5");
        long size = 40L * MIB + 11;
        BlobWriter w = store.create(UUID.randomUUID().toString());
        write(w, 6, size);
        String location = w.commit();
        for (long[] r : new long[][] {{size - 10, 10}, {0, 1}, {12L * MIB - 5, 3L * MIB + 9}}) {
            TestBytes.CheckingSink sink = new TestBytes.CheckingSink(6, r[0]);
            store.read(location, r[0], r[1], sink);
            assertThat(sink.received()).isEqualTo(r[1]);
            assertThat(sink.largestBuffer()).isLessThanOrEqualTo(S3Store.READ_BUFFER);
        }
    }

    @Test
    void theBucketIsCreatedOnFirstWriteOnlyWhenAsked() throws Exception {
        S3Store refusing = store("s3_store_create_bucket_on_put", "false");
        assertThatThrownBy(() -> refusing.create("img")).isInstanceOf(IOException.class)
                .hasMessageContaining("The bucket " + bucket + " does not exist")
                .hasMessageContaining("s3_store_create_bucket_on_put");
        assertThat(s3.bucketExists(bucket)).isFalse();
        refusing.cleanup(); // no bucket: nothing to clean, no error
        refusing.delete("s3://127.0.0.1/" + bucket + "/img");

        S3Store creating = store("s3_store_create_bucket_on_put", "true");
        BlobWriter w = creating.create("img");
        assertThat(s3.bucketExists(bucket)).isTrue();
        w.write(ByteBuffer.wrap(TestBytes.bytes(7, 10)));
        assertHolds(creating, w.commit(), 7, 10);
        assertThat(refusing.create("img2").location()).endsWith("/" + bucket + "/img2"); // exists now
    }

    @Test
    void locationsAreGlanceStoresFormWithoutCredentials() throws Exception {
        S3Store store = store();
        String id = UUID.randomUUID().toString();
        String location = store.create(id).location();
        String host = s3.endpoint().substring("http://".length());
        assertThat(location).isEqualTo("s3://" + host + "/" + bucket + "/" + id).doesNotContain(S3Proxy.ACCESS_KEY, "@");
        S3Store https = new S3Store("x", S3Options.parse("x", Map.of("s3_store_host", "https://s3.example.com/",
                "s3_store_access_key", "a", "s3_store_secret_key", "s", "s3_store_bucket", "b")));
        opened.add(https);
        assertThat(new S3Layout(https.options()).location("k")).isEqualTo("s3+https://s3.example.com/b/k");
        for (String other : List.of("s3://" + host + "/other-bucket/" + id, "s3://elsewhere/" + bucket + "/" + id,
                "s3://" + host + "/" + bucket + "/a/b", "file:///" + id)) {
            assertThatThrownBy(() -> store.size(other)).as(other).isInstanceOf(glint.store.BlobNotFoundException.class);
        }
    }

    @Test
    void theServiceFailingMidUploadFailsTheWriteCleanlyAndTheJournalsDeleteLeavesNothing() throws Exception {
        S3Proxy own = S3Proxy.startOwn();
        try {
            S3Store store = new S3Store("objects", S3Options.parse("objects", own.storeOptions(bucket,
                    "s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "2")));
            opened.add(store);
            String id = UUID.randomUUID().toString();
            BlobWriter w = store.create(id);
            write(w, 8, 11L * MIB); // two parts sent
            // S3Proxy (not S3) can lose track of an upload killed while it writes a part: let the parts land first,
            // and kill it between parts
            Poll.until("two parts on the service", Duration.ofSeconds(30), () -> own.oneUploadWithParts(bucket, 2));
            own.stop(); // the service dies mid-upload
            assertThatThrownBy(() -> {
                write(w, 8, 6L * MIB); // the next parts fail (after the SDK's retries), reported at the latest by commit
                w.commit();
            }).isInstanceOf(IOException.class);
            w.abort(); // cannot reach the service either: leaves the upload to delete or cleanup
            assertThat(store.partBuffers().inUse()).isZero();

            own.restart();
            assertThat(own.storedObjects(bucket)).containsExactly("upload " + id);
            store.delete(w.location()); // what the node's journal asks for at its next start
            assertThat(own.storedObjects(bucket)).isEmpty();
            BlobWriter again = store.create(id); // the image can be stored again
            write(again, 8, 6L * MIB);
            assertHolds(store, again.commit(), 8, 6L * MIB);
        } finally {
            own.stop();
        }
    }

    @Test
    void anUnreachableServiceFailsWithAnIoError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, String> options = new java.util.HashMap<>(s3.storeOptions(bucket));
        options.put("s3_store_host", "127.0.0.1:" + closed);
        S3Store store = new S3Store("objects", S3Options.parse("objects", options));
        opened.add(store);
        assertThatThrownBy(() -> store.create("img")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.size("s3://127.0.0.1:" + closed + "/" + bucket + "/img")).isInstanceOf(IOException.class);
    }
}
