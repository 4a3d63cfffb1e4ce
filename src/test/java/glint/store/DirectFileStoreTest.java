package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import glint.testing.DatabaseNeutral;
import glint.testing.TestBytes;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The file store's conformance and own tests with direct I/O ({@code filesystem_store_direct_io = true}): blocks go from an aligned staging buffer to
 * the device, and the last one is padded and cut back. Skipped where the test directory's file system has no O_DIRECT
 * (tmpfs).
 */
@DatabaseNeutral
class DirectFileStoreTest extends FileStoreTest {
    @Override
    protected BlobStore openStore() throws Exception {
        return new FileStore("file", dir.resolve("images"), FileStore.DEFAULT_FLUSH_EVERY, true);
    }

    @Override
    protected BlobStore reopenStore(Clock clock) throws Exception {
        return new FileStore("file", dir.resolve("images"), FileStore.DEFAULT_FLUSH_EVERY, true, BlobStore.STALE_AFTER, clock);
    }

    @BeforeEach
    void requireDirectIo() {
        assumeTrue(((FileStore) store).directIo(), "the file system of " + dir + " refuses O_DIRECT");
    }

    @Test
    void sizesAroundBlockAndStagingBoundariesKeepTheirExactLength() throws Exception {
        int staging = DirectAppender.STAGING;
        for (int size : new int[] {0, 1, 511, 4095, 4096, 4097, staging - 1, staging, staging + 1, 3 * staging + 777}) {
            String id = UUID.randomUUID().toString();
            BlobWriter w = store.create(id);
            byte[] data = TestBytes.bytes(size, size);
            for (int off = 0; off < size; off += 7000) { // writes that straddle the staging buffer's end
                w.write(ByteBuffer.wrap(data, off, Math.min(7000, size - off)));
            }
            w.commit();
            Path file = dir.resolve("images").resolve(id);
            assertThat(Files.size(file)).as("size %d", size).isEqualTo(size);
            assertThat(Files.readAllBytes(file)).as("content of size %d", size).isEqualTo(data);
        }
    }

    @Test
    void directWritesAreOffUnlessAskedFor() throws Exception {
        try (FileStore buffered = new FileStore("file", dir.resolve("other"))) {
            assertThat(buffered.directIo()).isFalse();
        }
        assertThat(((FileStore) store).directIo()).isTrue();
    }
}
