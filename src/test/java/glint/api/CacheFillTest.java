package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.GlintCommand;
import glint.testing.GlintProcess;
import glint.testing.Poll;
import glint.testing.RawHttp;
import glint.testing.TestDatabases;
import glint.testing.TestServer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The image cache filled by downloads (Glance's cache middleware, glance/api/middleware/cache.py, and
 * glance/image_cache/__init__.py get_caching_iter): a cold download fills it in the same pass, concurrent cold
 * downloads read the store once, entries are checked against the image's checksum, hits survive restarts, and
 * {@code glint cache prune} / {@code glint cache clean} (glance-cache-prune, glance-cache-cleaner).
 */
@DatabaseNeutral
class CacheFillTest {
    private static final String[] CACHE_AND_METRICS = {"[paste_deploy]", "flavor = keystone+cachemanagement",
            "[metrics]", "enabled = true", "bind_port = 0"};
    private static final Pattern STORE_READ = Pattern.compile("(?m)^glint_store_read_bytes_total\\{[^}]*} (\\S+)$");

    private static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String activeImage(ApiClient client, byte[] data) {
        Reply r = client.post("/v2/images", obj("name", "cached", "disk_format", "raw", "container_format", "bare"));
        String id = r.json().get("id").asText();
        assertThat(client.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        return id;
    }

    /** Bytes read from the stores so far, from the metrics listener. */
    private static long storeBytesRead(TestServer server) {
        String text = new ApiClient("http://127.0.0.1:" + server.app().metricsPort().orElseThrow(), null).get("/metrics").body();
        Matcher m = STORE_READ.matcher(text);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return (long) total;
    }

    private static JsonNode entry(ApiClient admin, String id) {
        for (JsonNode c : admin.get("/v2/cache").json().get("cached_images")) {
            if (c.get("image_id").asText().equals(id)) {
                return c;
            }
        }
        return null;
    }

    private static List<String> cachedIds(ApiClient admin) {
        List<String> ids = new ArrayList<>();
        admin.get("/v2/cache").json().get("cached_images").forEach(c -> ids.add(c.get("image_id").asText()));
        return ids;
    }

    @Test
    void aColdDownloadFillsTheCacheInTheSamePassAndLaterDownloadsAreHits() throws Exception {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(3 << 20, 1);
            String id = activeImage(admin, bytes);
            long before = storeBytesRead(server);

            assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(bytes);
            JsonNode cached = Poll.until(Duration.ofSeconds(30), () -> entry(admin, id), e -> e != null);
            assertThat(cached).as("cached once synced, just after the last byte").isNotNull();
            assertThat(cached.get("hits").asLong()).isZero();
            assertThat(cached.get("size").asLong()).isEqualTo(bytes.length);
            assertThat(storeBytesRead(server) - before).isEqualTo(bytes.length);

            Files.delete(server.dataDir().resolve("images").resolve(id)); // only the cache can answer now
            assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(bytes);
            Reply part = admin.get("/v2/images/" + id + "/file", "Range", "bytes=10-19");
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.bytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 10, 20));
            assertThat(entry(admin, id).get("hits").asLong()).isEqualTo(2);
            assertThat(storeBytesRead(server) - before).isEqualTo(bytes.length);
        }
    }

    @Test
    void rangedDownloadsOfAColdImageReadTheStoreAndDoNotFillTheCache() {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(100_000, 2);
            String id = activeImage(admin, bytes);
            Reply part = admin.get("/v2/images/" + id + "/file", "Range", "bytes=0-99");
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.bytes()).isEqualTo(java.util.Arrays.copyOf(bytes, 100));
            assertThat(cachedIds(admin)).isEmpty();
        }
    }

    @Test
    void concurrentColdDownloadsOfOneImageReadTheStoreOnce() throws Exception {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(24 << 20, 3);
            String id = activeImage(admin, bytes);
            long before = storeBytesRead(server);
            List<CompletableFuture<byte[]>> downloads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                downloads.add(CompletableFuture.supplyAsync(() -> admin.get("/v2/images/" + id + "/file").bytes()));
            }
            for (CompletableFuture<byte[]> d : downloads) {
                assertThat(d.get()).isEqualTo(bytes);
            }
            assertThat(storeBytesRead(server) - before).as("one read of the store for eight downloads")
                    .isEqualTo(bytes.length);
            Poll.until("cached", Duration.ofSeconds(30), () -> cachedIds(admin).contains(id));
        }
    }

    @Test
    void aClientThatStopsReadingHoldsBackNeitherTheFillNorAnotherDownload() throws Exception {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(24 << 20, 4);
            String id = activeImage(admin, bytes);
            long before = storeBytesRead(server);
            // the first, cold download's client takes its answer's head and then reads nothing (a 4 KiB receive
            // buffer: the server's writes to it block within a few MiB of the 24)
            try (RawHttp stalled = new RawHttp(server.port(), 4096)) {
                stalled.head("GET", "/v2/images/" + id + "/file", "X-Auth-Token: " + server.adminToken());
                assertThat(stalled.readHead().status()).isEqualTo(200);
                assertThat(admin.get("/v2/images/" + id + "/file").bytes()).as("a second download, in full").isEqualTo(bytes);
                Poll.until("the cache filled while the first client reads nothing", Duration.ofSeconds(30),
                        () -> cachedIds(admin).contains(id));
            }
            assertThat(storeBytesRead(server) - before).as("one read of the store for both").isEqualTo(bytes.length);
        }
    }

    @Test
    void dataThatFailsItsChecksumIsNeitherCachedNorEverSentComplete() throws Exception {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(2 << 20, 4);
            String id = activeImage(admin, bytes);
            try (RandomAccessFile f = new RandomAccessFile(server.dataDir().resolve("images").resolve(id).toFile(), "rw")) {
                f.seek(1 << 20);
                f.write(~bytes[1 << 20]); // damaged in the store, same size
            }
            // the fill finds the mismatch at the end: a download reading behind it is cut before its last byte; one
            // that starts after the fill failed (a loaded machine) gets a 500 before any byte
            try {
                Reply r = admin.get("/v2/images/" + id + "/file");
                assertThat(r.status()).as("never a complete 200 of data that fails its checksum").isEqualTo(500);
            } catch (IllegalStateException cutShort) {
                assertThat(cutShort).hasMessageContaining("/file");
            }
            assertThat(cachedIds(admin)).isEmpty();
            try (Stream<Path> files = Files.list(server.dataDir().resolve("image-cache"))) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("queue", "meta");
            }
        }
    }

    @Test
    void hitsSurviveARestartAndAnEntryWithoutItsCheckIsVerifiedBeforeFirstUse() throws Exception {
        Path dir = Files.createTempDirectory("glint-cache-restart-");
        String db = TestDatabases.fresh(dir);
        try {
            Files.writeString(dir.resolve("glint.conf"), String.join("\n", "[DEFAULT]", "[identity]",
                    "password_hash_rounds = 1000", "[paste_deploy]", "flavor = keystone+cachemanagement", "[database]",
                    "connection = " + db, ""));
            byte[] bytes = data(1 << 20, 5);
            String id;
            try (GlintProcess glint = GlintProcess.start(dir, "secret")) {
                ApiClient admin = glint.admin();
                id = activeImage(admin, bytes);
                assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(bytes); // fills
                String cachedId = id;
                Poll.until("cached", Duration.ofSeconds(30), () -> entry(admin, cachedId) != null);
                assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(bytes); // hit
                glint.kill();
            }
            Path cached = dir.resolve("image-cache").resolve(id);
            try (GlintProcess glint = GlintProcess.start(dir, "secret")) {
                assertThat(entry(glint.admin(), id).get("hits").asLong()).isEqualTo(1);
                glint.kill();
            }
            // an entry whose check is not on record (lost, or written by an older Glint), damaged meanwhile
            Files.delete(dir.resolve("image-cache").resolve("meta").resolve(id));
            try (RandomAccessFile f = new RandomAccessFile(cached.toFile(), "rw")) {
                f.seek(7);
                f.write(~bytes[7]);
            }
            try (GlintProcess glint = GlintProcess.start(dir, "secret")) {
                ApiClient admin = glint.admin();
                assertThat(admin.get("/v2/images/" + id + "/file").bytes()).as("from the store, refilling the cache")
                        .isEqualTo(bytes);
                String refilled = id;
                Poll.until("cached again", Duration.ofSeconds(30), () -> entry(admin, refilled) != null);
                assertThat(Files.readAllBytes(cached)).isEqualTo(bytes);
                assertThat(entry(admin, id).get("hits").asLong()).isZero();
                glint.kill();
            }
        } finally {
            TestDatabases.drop(db);
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void cachePruneKeepsTheMostRecentlyUsedWithinTheSizeAndCleanRemovesStalledAndUnwantedEntries() throws Exception {
        try (TestServer server = TestServer.start(CACHE_AND_METRICS)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = activeImage(admin, data(1 << 20, 10 + i));
                admin.get("/v2/images/" + id + "/file");
                Poll.until("cached", Duration.ofSeconds(30), () -> cachedIds(admin).contains(id));
                ids.add(id);
            }
            admin.get("/v2/images/" + ids.get(0) + "/file"); // the first is now the most recently used
            assertThat(cachedIds(admin)).containsExactlyInAnyOrderElementsOf(ids);

            List<String> small = List.of("image_cache_max_size = " + ((2 << 20) + 1000), "[paste_deploy]",
                    "flavor = keystone+cachemanagement");
            GlintCommand.Result pruned = GlintCommand.run(server.dataDir(), server.databaseUrl(), small, "cache", "prune");
            assertThat(pruned.exit()).as(pruned.err()).isZero();
            assertThat(pruned.out()).contains("Pruned 1 image(s)");
            assertThat(cachedIds(admin)).containsExactlyInAnyOrder(ids.get(0), ids.get(2));

            Path cacheDir = server.dataDir().resolve("image-cache");
            Path stalled = cacheDir.resolve("." + UUID.randomUUID() + "." + UUID.randomUUID() + ".partial");
            Files.write(stalled, new byte[10]);
            Files.setLastModifiedTime(stalled, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
            Path fresh = cacheDir.resolve("." + UUID.randomUUID() + "." + UUID.randomUUID() + ".partial");
            Files.write(fresh, new byte[10]);
            assertThat(admin.post("/v2/images/" + ids.get(2) + "/actions/deactivate", obj()).status()).isEqualTo(204);
            GlintCommand.Result cleaned = GlintCommand.run(server.dataDir(), server.databaseUrl(),
                    List.of("[paste_deploy]", "flavor = keystone+cachemanagement"), "cache", "clean");
            assertThat(cleaned.exit()).as(cleaned.err()).isZero();
            assertThat(cleaned.out()).contains("Removed 1 stalled incomplete file(s), 1 image(s) no longer active");
            assertThat(stalled).doesNotExist();
            assertThat(fresh).as("younger than image_cache_stall_time").exists();
            assertThat(cachedIds(admin)).containsExactly(ids.get(0));

            GlintCommand.Result off = GlintCommand.run(server.dataDir(), server.databaseUrl(), List.of(), "cache", "prune");
            assertThat(off.exit()).isEqualTo(1);
            assertThat(off.err()).contains("The image cache is off");
        }
    }
}
