package glint.api;

import static glint.api.ImportApiTest.filesUnder;
import static glint.api.ImportApiTest.random;
import static glint.api.LocationsPatchApiTest.add;
import static glint.api.LocationsPatchApiTest.patch;
import static glint.api.LocationsPatchApiTest.queued;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.FakeWeb;
import glint.testing.ImageTool;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locations API beside PATCH, as Glance: {@code DELETE /v2/stores/{store}/{image}}, {@code GET
 * /v2/info/stores/detail}, and 2.17's {@code POST}/{@code GET /v2/images/{id}/locations}; on a Glint with stores
 * {@code fast:file, cheap:file, web:http}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocationsApiTest {
    private final FakeWeb web = FakeWeb.start();
    private final byte[] remote = random(50_003);
    private final String url = web.put("/cirros.img", remote);
    private TestServer server;
    private ApiClient admin;
    private ApiClient owner;
    private ApiClient reader;
    private ApiClient other;
    private ApiClient service;

    @BeforeAll
    void start() {
        server = TestServer.start(LocationsPatchApiTest.config(web, "[fast]", "weight = 7", "[cheap]",
                "store_description = Slow and cheap"));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        owner = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alpha-member", "member"));
        reader = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alpha-reader", "reader"));
        other = new ApiClient(server.baseUrl(), server.tokenFor("beta", "beta-member", "member"));
        // a service user sees images as any user of its project does (Glance's is_image_visible, get_image needs
        // reader): a member of alpha that also has the service role
        server.tokenFor("alpha", "nova", "member");
        service = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "nova", "service"));
    }

    @AfterAll
    void stop() {
        server.close();
        web.close();
    }

    private Path storeDir(String store) {
        return server.dataDir().resolve("images").resolve(store);
    }

    /** An active image of alpha in fast and cheap (uploaded, then copied). */
    private String inTwoStores() {
        String id = queued(owner);
        assertThat(owner.put("/v2/images/" + id + "/file", remote, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("cheap"))).status()).isEqualTo(202);
        JsonNode image = Poll.until(Duration.ofSeconds(20), () -> owner.get("/v2/images/" + id).json(),
                i -> i.path("stores").asText().contains("cheap") && !i.has("os_glance_import_task"));
        assertThat(image.get("stores").asText()).isEqualTo("fast,cheap");
        return id;
    }

    @Test
    void storesListAndDetailShowTheHttpStoreReadOnlyAndDetailIsForAdminsAndServices() throws Exception {
        JsonNode stores = owner.get("/v2/info/stores").json().get("stores");
        assertThat(stores).extracting(s -> s.get("id").asText()).containsExactly("fast", "cheap", "web");
        assertThat(stores.get(2).get("read-only").asText()).isEqualTo("true");
        assertThat(stores.get(0).has("read-only")).isFalse();

        assertThat(owner.get("/v2/info/stores/detail").status()).isEqualTo(403);
        assertThat(service.get("/v2/info/stores/detail").status()).isEqualTo(200);
        JsonNode detail = admin.get("/v2/info/stores/detail").json().get("stores");
        JsonNode fast = detail.get(0);
        assertThat(fast.get("type").asText()).isEqualTo("file");
        assertThat(fast.get("default").asText()).isEqualTo("true");
        assertThat(fast.get("weight").asInt()).isEqualTo(7);
        assertThat(fast.at("/properties/data_dir").asText()).isEqualTo(storeDir("fast").toString());
        assertThat(fast.at("/properties/chunk_size").asInt()).isEqualTo(65536);
        assertThat(fast.at("/properties/thin_provisioning").asBoolean()).isFalse();
        assertThat(detail.get(1).get("description").asText()).isEqualTo("Slow and cheap");
        assertThat(detail.get(1).get("weight").asInt()).isZero();
        JsonNode http = detail.get(2);
        assertThat(http.get("type").asText()).isEqualTo("http");
        assertThat(http.get("read-only").asText()).isEqualTo("true");
        assertThat(http.get("properties")).isEmpty();
    }

    @Test
    void deletingFromAStoreIsForAdminsAndRemovesThatCopyAndItsFile() throws Exception {
        String id = inTwoStores();
        assertThat(filesUnder(storeDir("fast"), id) + filesUnder(storeDir("cheap"), id)).isEqualTo(2);
        assertThat(owner.delete("/v2/stores/fast/" + id).status()).isEqualTo(403);
        Reply hidden = other.delete("/v2/stores/fast/" + id);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(reader.delete("/v2/stores/fast/" + id).status()).isEqualTo(403);

        assertThat(admin.delete("/v2/stores/fast/" + id).status()).isEqualTo(204);
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("stores").asText()).isEqualTo("cheap");
        assertThat(filesUnder(storeDir("fast"), id)).isZero();
        assertThat(filesUnder(storeDir("cheap"), id)).isEqualTo(1);
        assertThat(owner.get("/v2/images/" + id + "/file").bytes()).isEqualTo(remote);
        assertThat(server.rows("pending_data")).isZero();

        Reply gone = admin.delete("/v2/stores/fast/" + id);
        assertThat(gone.status()).isEqualTo(403);
        assertThat(gone.body()).contains("Cannot delete image data from the only store containing it.");
    }

    @Test
    void deletingFromAStoreFollowsGlancesChecks() throws Exception {
        String id = inTwoStores();
        Reply unknown = admin.delete("/v2/stores/elsewhere/" + id);
        assertThat(unknown.status()).isEqualTo(409);
        assertThat(unknown.body()).contains("The selected store elsewhere is not available on this node.");
        assertThat(admin.delete("/v2/stores/os_glance_staging_store/" + id).status()).isEqualTo(409);
        Reply missing = admin.delete("/v2/stores/fast/" + java.util.UUID.randomUUID());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("Failed to find image");
        Reply notThere = admin.delete("/v2/stores/web/" + id);
        assertThat(notThere.status()).isEqualTo(404);
        assertThat(notThere.body()).contains("is not stored in store web.");

        assertThat(admin.post("/v2/images/" + id + "/actions/deactivate", "").status()).isEqualTo(204);
        Reply deactivated = admin.delete("/v2/stores/fast/" + id);
        assertThat(deactivated.status()).isEqualTo(409);
        assertThat(deactivated.body()).contains("if image status is not 'active'");
        Reply queued = admin.delete("/v2/stores/fast/" + queued(owner));
        assertThat(queued.status()).isEqualTo(409);
    }

    @Test
    void deletingFromTheHttpStoreDropsTheLocationButNeverTheData() throws Exception {
        String id = queued(owner);
        assertThat(owner.put("/v2/images/" + id + "/file", remote, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(patch(owner, id, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        assertThat(admin.delete("/v2/stores/web/" + id).status()).isEqualTo(204);
        assertThat(owner.get("/v2/images/" + id).json().get("stores").asText()).isEqualTo("fast");
        assertThat(web.requests()).noneMatch(r -> r.startsWith("DELETE"));
        assertThat(filesUnder(storeDir("fast"), id)).isEqualTo(1);
    }

    @Test
    void uploadsToTheHttpStoreAreRefusedAsGlanceDoes() throws Exception {
        String id = queued(owner);
        Reply r = owner.put("/v2/images/" + id + "/file", new byte[] {1}, "Content-Type", "application/octet-stream",
                "X-Image-Meta-Store", "web");
        assertThat(r.status()).isEqualTo(410);
        assertThat(r.body()).contains("Adding images to store is disabled.");
        assertThat(owner.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
    }

    private JsonNode awaitTask(String id, String status) {
        JsonNode tasks = Poll.until(Duration.ofSeconds(20), () -> admin.get("/v2/images/" + id + "/tasks").json().get("tasks"),
                t -> !t.isEmpty() && last(t).get("status").asText().matches("success|failure"));
        assertThat(last(tasks).get("status").asText()).as("%s", tasks).isEqualTo(status);
        assertThat(last(tasks).get("type").asText()).isEqualTo("location_import");
        return last(tasks);
    }

    /** The newest task (the list is oldest first). */
    private static JsonNode last(JsonNode tasks) {
        return tasks.get(tasks.size() - 1);
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    @Test
    void addLocationHashesTheDataAndActivatesTheImage() throws Exception {
        String id = queued(owner);
        Reply added = service.post("/v2/images/" + id + "/locations", obj("url", url));
        assertThat(added.status()).as(added.body()).isEqualTo(202);
        assertThat(added.body()).isEmpty();
        awaitTask(id, "success");
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("size").asLong()).isEqualTo(remote.length);
        assertThat(image.get("virtual_size").asLong()).as("raw: the size").isEqualTo(remote.length);
        assertThat(image.get("checksum").asText()).isEqualTo(hex("MD5", remote));
        assertThat(image.get("os_hash_algo").asText()).isEqualTo("sha512");
        assertThat(image.get("os_hash_value").asText()).isEqualTo(hex("SHA-512", remote));
        assertThat(image.get("stores").asText()).isEqualTo("web");
        assertThat(image.has("os_glance_import_task")).isFalse();

        JsonNode locations = service.get("/v2/images/" + id + "/locations").json();
        assertThat(locations).hasSize(1);
        assertThat(locations.get(0).get("url").asText()).isEqualTo(url);
        assertThat(locations.get(0).at("/metadata/store").asText()).isEqualTo("web");
        assertThat(owner.get("/v2/images/" + id + "/locations").status()).isEqualTo(403);
        assertThat(other.get("/v2/images/" + id + "/locations").status()).isEqualTo(404);

        Reply again = service.post("/v2/images/" + id + "/locations", obj("url", url + "#2"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("It's not allowed to add locations if image status is active.");
    }

    @Test
    void addLocationWithValidationDataChecksTheHashBeforeTheImageTurnsActive() throws Exception {
        String id = queued(owner);
        assertThat(owner.post("/v2/images/" + id + "/locations", obj("url", url, "validation_data",
                obj("os_hash_algo", "sha256", "os_hash_value", hex("SHA-256", remote)))).status()).isEqualTo(202);
        awaitTask(id, "success");
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("os_hash_algo").asText()).isEqualTo("sha256");
        assertThat(image.get("os_hash_value").asText()).isEqualTo(hex("SHA-256", remote));
        assertThat(image.get("checksum").asText()).isEqualTo(hex("MD5", remote));
        assertThat(image.get("virtual_size").asLong()).isEqualTo(remote.length);

        String wrong = queued(owner);
        assertThat(owner.post("/v2/images/" + wrong + "/locations", obj("url", url, "validation_data",
                obj("os_hash_algo", "sha512", "os_hash_value", "beefdead".repeat(16)))).status()).isEqualTo(202);
        JsonNode failed = awaitTask(wrong, "failure");
        assertThat(failed.get("message").asText()).contains("not matched with actual os_hash_value");
        JsonNode reverted = owner.get("/v2/images/" + wrong).json();
        assertThat(reverted.get("status").asText()).isEqualTo("queued");
        assertThat(reverted.get("os_hash_algo").isNull()).isTrue();
        assertThat(reverted.get("checksum").isNull()).isTrue();
        assertThat(reverted.get("size").isNull()).isTrue();
        assertThat(reverted.get("virtual_size").isNull()).isTrue();
        assertThat(reverted.get("locations")).isEmpty();
        assertThat(reverted.has("os_glance_import_task")).isFalse();
    }

    @Test
    void addLocationInspectsTheDataItReadsAndRefusesWhatAnUploadWouldRefuse(@TempDir Path tools) throws Exception {
        // Glance's location_import inspects nothing: the qcow2 below would go active with no virtual_size
        byte[] safe = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "safe.qcow2", "qcow2", "1G"));
        byte[] backed = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "backed.qcow2", "qcow2", "1G",
                "-u", "-b", "/etc/passwd", "-F", "raw"));
        String id = queued(owner, "qcow2");
        assertThat(service.post("/v2/images/" + id + "/locations", obj("url", web.put("/safe.qcow2", safe))).status())
                .isEqualTo(202);
        awaitTask(id, "success");
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("virtual_size").asLong()).isEqualTo(1L << 30);
        assertThat(image.get("checksum").asText()).isEqualTo(hex("MD5", safe));

        // without validation data Glance turns the image active before it reads the data; Glint judges it first
        String unsafe = queued(owner, "qcow2");
        assertThat(service.post("/v2/images/" + unsafe + "/locations", obj("url", web.put("/backed.qcow2", backed)))
                .status()).isEqualTo(202);
        assertThat(awaitTask(unsafe, "failure").get("message").asText()).isEqualTo("Image failed safety checks");
        JsonNode refused = owner.get("/v2/images/" + unsafe).json();
        assertThat(refused.get("status").asText()).isEqualTo("queued");
        assertThat(refused.get("locations")).isEmpty();
        assertThat(refused.get("size").isNull()).isTrue();
        assertThat(refused.get("virtual_size").isNull()).isTrue();
        assertThat(refused.get("checksum").isNull()).isTrue();
        assertThat(refused.has("os_glance_import_task")).isFalse();
    }

    @Test
    void addLocationRequestsAreCheckedAsGlanceChecksThem() throws Exception {
        String id = queued(owner);
        for (Object body : List.of(obj("foo", "bar"), obj("url", 1), obj("url", url, "validation_data", obj("checksum", "x")),
                obj("url", url, "validation_data", obj("os_hash_algo", "sha123", "os_hash_value", "ab")),
                obj("url", url, "validation_data", obj("os_hash_value", "ab".repeat(64))),
                obj("url", url, "validation_data", obj("os_hash_algo", "sha512", "os_hash_value", "ab".repeat(32))),
                obj("url", url, "validation_data", obj("os_hash_algo", "sha512", "os_hash_value", "zz".repeat(64))))) {
            assertThat(owner.post("/v2/images/" + id + "/locations", body).status()).as("%s", body).isEqualTo(400);
        }
        assertThat(reader.post("/v2/images/" + id + "/locations", obj("url", url)).status()).isEqualTo(403);
        assertThat(other.post("/v2/images/" + id + "/locations", obj("url", url)).status()).isEqualTo(404);
        Reply notHttp = owner.post("/v2/images/" + id + "/locations", obj("url", "s3://host/bucket/key"));
        assertThat(notHttp.status()).isEqualTo(403);
        assertThat(notHttp.body()).contains("http store must be enabled to use location API by normal user.");
        assertThat(admin.get("/v2/images/" + id + "/tasks").json().get("tasks")).isEmpty();
    }

    @Test
    void aLocationTheTaskCannotUseFailsItAndLeavesTheImageQueued() throws Exception {
        String id = queued(owner);
        assertThat(service.post("/v2/images/" + id + "/locations", obj("url", web.url("/missing"))).status()).isEqualTo(202);
        assertThat(awaitTask(id, "failure").get("message").asText()).isEqualTo("Invalid location");
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.has("os_glance_import_task")).isFalse();
        assertThat(service.post("/v2/images/" + id + "/locations", obj("url", url)).status()).as("lock released")
                .isEqualTo(202);
        awaitTask(id, "success");
    }
}
