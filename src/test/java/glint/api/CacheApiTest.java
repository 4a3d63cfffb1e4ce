package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cache management API (Glance 25, API 2.14+; glance/api/v2/cached_images.py) and the cache behind it, as
 * Tempest's test_image_caching_cycle drives it, plus downloads served from the cache.
 */
class CacheApiTest {
    private static final String[] CACHE = {"[paste_deploy]", "flavor = keystone+cachemanagement"};

    private static String activeImage(ApiClient client, byte[] data) {
        Reply r = client.post("/v2/images", obj("name", "cached", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(client.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        return id;
    }

    private static List<String> ids(JsonNode cachedImages) {
        List<String> ids = new ArrayList<>();
        cachedImages.forEach(c -> ids.add(c.get("image_id").asText()));
        return ids;
    }

    /** Polls GET /v2/cache until the image is listed as cached, as Tempest's waiters.wait_for_caching does. */
    private static JsonNode waitForCaching(ApiClient admin, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode state = admin.get("/v2/cache").json();
            if (ids(state.get("cached_images")).contains(id)) {
                return state;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("image " + id + " not cached within 30 s");
    }

    @Test
    void cachingCycleAsTempestRunsIt() throws Exception {
        try (TestServer server = TestServer.start(CACHE)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            ApiClient member = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
            Reply forbidden = member.get("/v2/cache");
            assertThat(forbidden.status()).isEqualTo(403);
            assertThat(forbidden.body()).contains("Access was denied to this resource.");

            JsonNode empty = admin.get("/v2/cache").json();
            assertThat(empty.get("cached_images")).isEmpty();
            assertThat(empty.get("queued_images")).isEmpty();
            assertThat(admin.put("/v2/cache/non-existing-image-id", new byte[0]).status()).isEqualTo(404);

            String queuedOnly = admin.post("/v2/images", obj("name", "queued")).json().get("id").asText();
            Reply notActive = admin.put("/v2/cache/" + queuedOnly, new byte[0]);
            assertThat(notActive.status()).isEqualTo(400);
            assertThat(notActive.body()).contains("Only images with status active can be targeted for queueing");

            byte[] data = new byte[3000];
            new Random(7).nextBytes(data);
            String id = activeImage(admin, data);
            assertThat(member.put("/v2/cache/" + id, new byte[0]).status()).as("an image the caller cannot see").isEqualTo(404);
            assertThat(admin.put("/v2/cache/" + id, new byte[0]).status()).isEqualTo(202);
            JsonNode cached = waitForCaching(admin, id).get("cached_images").get(0);
            assertThat(cached.get("image_id").asText()).isEqualTo(id);
            assertThat(cached.get("size").asLong()).isEqualTo(3000);
            assertThat(cached.get("hits").asLong()).isZero();
            assertThat(cached.get("last_modified").asDouble()).isPositive();
            assertThat(cached.get("last_accessed").isNumber()).isTrue();
            assertThat(admin.get("/v2/cache").json().get("queued_images")).isEmpty();

            assertThat(admin.delete("/v2/cache", "x-image-cache-clear-target", "invalid").status()).isEqualTo(400);
            assertThat(admin.delete("/v2/cache").status()).isEqualTo(204);
            JsonNode cleared = admin.get("/v2/cache").json();
            assertThat(cleared.get("cached_images")).isEmpty();
            assertThat(cleared.get("queued_images")).isEmpty();
        }
    }

    @Test
    void downloadsAreServedFromTheCacheAndDeletingTheImageDropsItsEntry() throws Exception {
        try (TestServer server = TestServer.start(CACHE)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] data = new byte[5000];
            new Random(11).nextBytes(data);
            String id = activeImage(admin, data);
            admin.put("/v2/cache/" + id, new byte[0]);
            waitForCaching(admin, id);

            // the store's copy goes: only the cache can answer now
            Path stored = server.dataDir().resolve("images").resolve(id);
            Files.delete(stored);
            Reply full = admin.get("/v2/images/" + id + "/file");
            assertThat(full.status()).isEqualTo(200);
            assertThat(full.bytes()).isEqualTo(data);
            Reply part = admin.get("/v2/images/" + id + "/file", "Range", "bytes=100-199");
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.bytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 200));
            assertThat(admin.get("/v2/cache").json().get("cached_images").get(0).get("hits").asLong()).isEqualTo(2);

            assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);
            assertThat(admin.get("/v2/cache").json().get("cached_images")).isEmpty();
            try (Stream<Path> files = Files.list(server.dataDir().resolve("image-cache"))) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("queue", "meta");
            }
        }
    }

    @Test
    void aQueuedImageWaitsThePrefetchDelayAndCanBeDequeued() {
        try (TestServer server = TestServer.start("image_cache_prefetch_delay = 3600", CACHE[0], CACHE[1])) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = activeImage(admin, new byte[] {1, 2, 3});
            assertThat(admin.put("/v2/cache/" + id, new byte[0]).status()).isEqualTo(202);
            assertThat(admin.put("/v2/cache/" + id, new byte[0]).status()).as("queueing twice is fine").isEqualTo(202);
            JsonNode state = admin.get("/v2/cache").json();
            assertThat(state.get("queued_images").get(0).asText()).isEqualTo(id);
            assertThat(state.get("queued_images")).hasSize(1);
            assertThat(state.get("cached_images")).isEmpty();

            assertThat(admin.delete("/v2/cache/" + id).status()).isEqualTo(204);
            assertThat(admin.get("/v2/cache").json().get("queued_images")).isEmpty();
            assertThat(admin.delete("/v2/cache/no-such-image").status()).isEqualTo(404);

            admin.put("/v2/cache/" + id, new byte[0]);
            assertThat(admin.delete("/v2/cache", "x-image-cache-clear-target", "Cache").status()).isEqualTo(204);
            assertThat(admin.get("/v2/cache").json().get("queued_images")).as("only the cache was cleared").hasSize(1);
            assertThat(admin.delete("/v2/cache", "x-image-cache-clear-target", "queue").status()).isEqualTo(204);
            assertThat(admin.get("/v2/cache").json().get("queued_images")).isEmpty();
        }
    }

    @Test
    void withoutTheCacheTheApiAnswers404AfterThePolicyAndVersionsStopAt215() {
        try (TestServer server = TestServer.start()) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            ApiClient member = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
            Reply r = admin.get("/v2/cache");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("Caching via API is not supported at this site.");
            assertThat(member.get("/v2/cache").status()).isEqualTo(403);
            assertThat(admin.delete("/v2/cache").status()).isEqualTo(404);
            assertThat(admin.get("/versions").json().get("versions").get(0).get("id").asText()).isEqualTo("v2.15");
        }
        try (TestServer server = TestServer.start(CACHE)) {
            JsonNode versions = new ApiClient(server.baseUrl(), null).get("/versions").json().get("versions");
            assertThat(versions.get(0).get("id").asText()).isEqualTo("v2.16");
            assertThat(versions.get(0).get("status").asText()).isEqualTo("CURRENT");
            assertThat(versions.get(2).get("id").asText()).isEqualTo("v2.14");
        }
    }
}
