package glint.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.cache.ImageCache.CachedImage;
import glint.testing.DatabaseNeutral;
import glint.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node-local image cache: Glance's layout and bookkeeping, crash-safe writes, size limit. */
@DatabaseNeutral
class ImageCacheTest {
    @TempDir
    Path dir;

    private static ImageCache.Filler bytes(byte[] data) {
        return sink -> sink.write(ByteBuffer.wrap(data));
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    /** An active image of the cache's entries: written by put, so checked already; its checksum is not needed. */
    private static glint.image.Image image(String id) {
        java.time.Instant now = java.time.Instant.now();
        return new glint.image.Image(id, Optional.empty(), glint.image.ImageStatus.ACTIVE, glint.image.Visibility.PRIVATE,
                false, false, Optional.empty(), Optional.of("raw"), Optional.of("bare"), 0, 0, Optional.of(1L),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now, java.util.Set.of(),
                java.util.Map.of(), java.util.List.of());
    }

    private static byte[] read(ImageCache cache, String id, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var channel = Channels.newChannel(out);
        boolean hit = cache.read(image(id), offset, length, b -> {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        });
        return hit ? out.toByteArray() : null;
    }

    @Test
    void queuedImageIsListedUntilItIsCachedThenServedWithHitsCounted() throws Exception {
        ImageCache cache = new ImageCache(dir, 1 << 20, new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
        byte[] data = "image data".getBytes(StandardCharsets.UTF_8);

        assertThat(cache.queue("img-1")).isTrue();
        assertThat(cache.queue("img-1")).as("already queued").isFalse();
        assertThat(cache.queued()).containsExactly("img-1");
        assertThat(read(cache, "img-1", 0, data.length)).as("not cached yet").isNull();

        assertThat(cache.put("img-1", bytes(data), Optional.of(md5(data)))).isTrue();
        assertThat(cache.queued()).isEmpty();
        assertThat(cache.queue("img-1")).as("already cached").isFalse();
        assertThat(Files.readAllBytes(dir.resolve("img-1"))).isEqualTo(data);

        assertThat(read(cache, "img-1", 6, 4)).isEqualTo("data".getBytes(StandardCharsets.UTF_8));
        assertThat(read(cache, "img-1", 0, data.length)).isEqualTo(data);
        CachedImage entry = cache.cached().get(0);
        assertThat(entry.imageId()).isEqualTo("img-1");
        assertThat(entry.size()).isEqualTo(data.length);
        assertThat(entry.hits()).isEqualTo(2);

        assertThat(cache.delete("img-1")).isTrue();
        assertThat(cache.cached()).isEmpty();
        assertThat(read(cache, "img-1", 0, data.length)).isNull();
    }

    @Test
    void dataThatDoesNotMatchTheChecksumIsNotCached() throws Exception {
        ImageCache cache = new ImageCache(dir, 1 << 20, new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
        cache.queue("img-2");
        assertThatThrownBy(() -> cache.put("img-2", bytes(new byte[] {1, 2, 3}), Optional.of(md5(new byte[] {9}))))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum");
        assertThat(cache.cached()).isEmpty();
        assertThat(cache.isCached("img-2")).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("queue", "meta");
        }
    }

    @Test
    void aSourceFailingHalfwayLeavesNoEntry() throws Exception {
        ImageCache cache = new ImageCache(dir, 1 << 20, new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
        assertThatThrownBy(() -> cache.put("img-3", sink -> {
            sink.write(ByteBuffer.wrap(new byte[100]));
            throw new IOException("store went away");
        }, Optional.empty())).hasMessage("store went away");
        assertThat(cache.cached()).isEmpty();
        assertThat(cache.put("img-3", bytes(new byte[] {7}), Optional.empty())).as("a later attempt works").isTrue();
    }

    @Test
    void anEntryLeftIncompleteByACrashIsRemovedAtStartAndNeverListed() throws Exception {
        Files.createDirectories(dir);
        Path leftover = dir.resolve(".img-4.0f1e2d3c.partial");
        Files.write(leftover, new byte[50]);
        ImageCache cache = new ImageCache(dir, 1 << 20, new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(cache.cached()).isEmpty();
        cache.recover();
        assertThat(leftover).doesNotExist();
    }

    @Test
    void overTheMaximumSizeTheLeastRecentlyReadEntriesGo() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        ImageCache cache = new ImageCache(dir, 250, clock);
        cache.put("a", bytes(new byte[100]), Optional.empty());
        cache.put("b", bytes(new byte[100]), Optional.empty());
        clock.advance(java.time.Duration.ofSeconds(5));
        read(cache, "a", 0, 100);   // b is now the least recently used
        cache.put("c", bytes(new byte[100]), Optional.empty());
        assertThat(cache.cached()).extracting(CachedImage::imageId).containsExactly("a", "c");
        assertThat(cache.size()).isEqualTo(200);

        cache.put("huge", bytes(new byte[300]), Optional.empty());
        assertThat(cache.isCached("huge")).as("larger than the whole cache").isFalse();
    }

    @Test
    void clearEmptiesCacheAndQueueSeparately() throws Exception {
        ImageCache cache = new ImageCache(dir, 1 << 20, new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z")));
        cache.put("x", bytes(new byte[] {1}), Optional.empty());
        cache.put("y", bytes(new byte[] {2}), Optional.empty());
        cache.queue("z");
        assertThat(cache.clearQueued()).isEqualTo(1);
        assertThat(cache.cached()).hasSize(2);
        assertThat(cache.clearCached()).isEqualTo(2);
        assertThat(cache.cached()).isEmpty();
    }
}
