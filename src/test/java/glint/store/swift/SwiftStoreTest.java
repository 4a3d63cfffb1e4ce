package glint.store.swift;

import glint.store.BlobStore;
import glint.store.BlobStoreConformanceTest;
import glint.testing.SwiftFixture;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The swift store against a real Swift (Debian's, keystone auth against a Glint's built-in identity), through the
 * conformance suite, unchanged. Segments of 5 "MB" (5 120 000 bytes) and a large-object size as small: the suite's
 * blobs from a few MB on are segmented with a manifest, the smaller ones single objects.
 */
class SwiftStoreTest extends BlobStoreConformanceTest {
    private final SwiftFixture swift = SwiftFixture.fromSystemProperties();
    private String container;

    @BeforeAll
    static void needsSwift() {
        SwiftFixture.assumePresent();
    }

    private Map<String, String> options() {
        return swift.storeOptions(container, "swift_store_large_object_chunk_size", "5", "swift_store_large_object_size", "5");
    }

    @Override
    protected BlobStore openStore() {
        container = swift.newContainer();
        return new SwiftStore("objects", SwiftOptions.parse("objects", options()));
    }

    @Override
    protected BlobStore reopenStore(Clock clock) {
        return new SwiftStore("objects", SwiftOptions.parse("objects", options()), BlobStore.STALE_AFTER, clock,
                Backoff.DEFAULT, SwiftStore.TIMEOUT);
    }

    /** One entry per blob: committed objects, and the segments of each write without a manifest. */
    @Override
    protected List<String> storedObjects() {
        return swift.storedBlobs(container);
    }

    @Override
    protected long maxReadBuffer() {
        return SwiftStore.READ_BUFFER;
    }
}
