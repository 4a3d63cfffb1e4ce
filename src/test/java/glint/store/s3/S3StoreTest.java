package glint.store.s3;

import glint.store.BlobStore;
import glint.store.BlobStoreConformanceTest;
import glint.testing.S3Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The s3 store against a real S3 service (S3Proxy), through the conformance suite, unchanged. */
class S3StoreTest extends BlobStoreConformanceTest {
    private final S3Proxy s3 = S3Proxy.shared();
    private String bucket;

    /** Parts of the smallest size S3 allows, three in flight: the suite's larger blobs go up in several parts. */
    private Map<String, String> options() {
        return s3.storeOptions(bucket, "s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "3");
    }

    @Override
    protected BlobStore openStore() {
        bucket = s3.newBucket();
        return new S3Store("objects", S3Options.parse("objects", options()));
    }

    @Override
    protected BlobStore reopenStore(Clock clock) {
        return new S3Store("objects", S3Options.parse("objects", options()), BlobStore.STALE_AFTER, clock);
    }

    /** Objects and unfinished multipart uploads, and anything else S3Proxy keeps on disk. */
    @Override
    protected List<String> storedObjects() {
        return s3.storedObjects(bucket);
    }

    @Override
    protected long maxReadBuffer() {
        return S3Store.READ_BUFFER;
    }
}
