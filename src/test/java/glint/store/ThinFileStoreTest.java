package glint.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The file store's conformance and own tests with glance_store's {@code filesystem_thin_provisioning = true}, and what
 * it is for: a sparse image (zeros but for a few blocks, as a fresh cloud image is) takes its real size on disk, read
 * back byte for byte, whatever the size of the writes that bring it (pieces not aligned to blocks included).
 */
class ThinFileStoreTest extends FileStoreTest {
    @Override
    protected BlobStore openStore() throws Exception {
        return new FileStore("file", dir.resolve("images"), FileStore.DEFAULT_FLUSH_EVERY, false, true, BlobStore.STALE_AFTER,
                Clock.systemUTC());
    }

    @Override
    protected BlobStore reopenStore(Clock clock) throws Exception {
        return new FileStore("file", dir.resolve("images"), FileStore.DEFAULT_FLUSH_EVERY, false, true, BlobStore.STALE_AFTER, clock);
    }

    @Test
    void aSparseImageTakesItsRealSizeOnDiskAndReadsBackTheSame() throws Exception {
        byte[] image = sparseImage(64 << 20, 7);
        String thin = put(store, image, 12_345);
        try (FileStore full = new FileStore("full", dir.resolve("full"))) {
            String thick = put(full, image, 12_345);
            assertThat(Files.readAllBytes(file(thin))).isEqualTo(image);
            assertThat(Files.size(file(thin))).isEqualTo(image.length);
            long thinBytes = allocated(file(thin));
            long thickBytes = allocated(file(thick));
            // 7 scattered 4 KiB blocks and the tail of data: a few blocks, where the thick copy holds all 64 MiB
            assertThat(thinBytes).as("allocated bytes with thin provisioning").isLessThan(1 << 20);
            assertThat(thickBytes).as("allocated bytes without").isGreaterThanOrEqualTo(image.length);
        }
        assertThat(((FileStore) store).properties()).containsEntry("thin_provisioning", true);
    }

    @Test
    void anImageEndingInZerosKeepsItsLength() throws Exception {
        byte[] image = new byte[(3 << 20) + 100];
        image[10] = 1;
        String location = put(store, image, 65_536);
        assertThat(Files.size(file(location))).isEqualTo(image.length);
        assertThat(Files.readAllBytes(file(location))).isEqualTo(image);
    }

    /** {@code size} bytes of zeros with {@code blocks} random 4 KiB blocks of data at random places and data at the end. */
    private static byte[] sparseImage(int size, int blocks) {
        Random r = new Random(blocks);
        byte[] image = new byte[size];
        for (int i = 0; i < blocks; i++) {
            byte[] block = new byte[4096];
            r.nextBytes(block);
            System.arraycopy(block, 0, image, r.nextInt(size - 4096), 4096);
        }
        image[size - 1] = 42;
        return image;
    }

    private static String put(BlobStore into, byte[] data, int piece) throws IOException {
        BlobWriter w = into.create(UUID.randomUUID().toString());
        for (int off = 0; off < data.length; off += piece) {
            w.write(ByteBuffer.wrap(data, off, Math.min(piece, data.length - off)));
        }
        return w.commit();
    }

    private static Path file(String location) {
        return Path.of(java.net.URI.create(location));
    }

    /** What the file system allocated for the file: {@code stat}'s blocks times its block unit (coreutils). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "--format=%b %B", file.toString()).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
