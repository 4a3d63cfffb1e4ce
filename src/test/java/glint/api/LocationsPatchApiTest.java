package glint.api;

import static glint.api.ImportApiTest.filesUnder;
import static glint.api.ImportApiTest.random;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.FakeWeb;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * JSON-patch on {@code /locations} and the {@code locations}/{@code direct_url} views, as Glance with
 * {@code show_multiple_locations} (glance/api/v2/images.py, glance/location.py), on a Glint with two file stores and
 * an http store reading from a web server on loopback that the import filter allows.
 */
class LocationsPatchApiTest {
    static final String SHA512_OF_NOTHING_SIZED = "deadbeef".repeat(16);

    private final FakeWeb web = FakeWeb.start();
    private final byte[] remote = random(70_001);
    private final String url = web.put("/cirros.img", remote);
    private TestServer server;
    private ApiClient admin;
    private ApiClient owner;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        web.close();
    }

    /** Multi-store with an http store, locations shown, the web server allowed by the import filter. */
    static String[] config(FakeWeb web, String... defaults) {
        List<String> ini = new ArrayList<>(List.of("enabled_backends = fast:file, cheap:file, web:http",
                "show_multiple_locations = true"));
        ini.addAll(List.of(defaults));
        ini.addAll(List.of("[glance_store]", "default_backend = fast", "[import_filtering_opts]",
                "allowed_hosts = [127.0.0.1]", "allowed_ports = [" + web.port() + "]"));
        return ini.toArray(String[]::new);
    }

    private void start(String... defaults) {
        server = TestServer.start(config(web, defaults));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        owner = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alpha-member", "member"));
    }

    static String queued(ApiClient client) {
        return queued(client, "raw");
    }

    static String queued(ApiClient client, String diskFormat) {
        Reply r = client.post("/v2/images", obj("name", "loc", "disk_format", diskFormat, "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static Reply patch(ApiClient client, String id, Object... ops) {
        return client.patch("/v2/images/" + id, List.of(ops));
    }

    static Map<String, Object> add(String path, String url, Object metadata) {
        return obj("op", "add", "path", path, "value", obj("url", url, "metadata", metadata));
    }

    @Test
    void withoutShowMultipleLocationsLocationsAreNeitherShownNorWritable() {
        server = TestServer.start("enabled_backends = fast:file, web:http", "[glance_store]", "default_backend = fast");
        owner = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alpha-member", "member"));
        String id = queued(owner);
        assertThat(owner.get("/v2/images/" + id).json().has("locations")).isFalse();
        Reply refused = patch(owner, id, add("/locations/-", url, Map.of()));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("It's not allowed to add locations if locations are invisible.");
        assertThat(web.requests()).isEmpty();
    }

    @Test
    void anHttpLocationMakesAQueuedImageActiveWithItsSizeAndServesItsData() {
        start("show_image_direct_url = true");
        String id = queued(owner);
        assertThat(owner.get("/v2/images/" + id).json().get("locations")).isEmpty();

        Reply added = patch(owner, id, add("/locations/-", url, obj("foo", "bar")));
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("size").asLong()).isEqualTo(remote.length);
        assertThat(image.get("checksum").isNull()).isTrue();
        assertThat(image.get("stores").asText()).isEqualTo("web");
        assertThat(image.get("direct_url").asText()).isEqualTo(url);
        assertThat(image.get("locations")).hasSize(1);
        JsonNode location = image.get("locations").get(0);
        assertThat(location.get("url").asText()).isEqualTo(url);
        assertThat(location.get("metadata").get("foo").asText()).isEqualTo("bar");
        assertThat(location.get("metadata").get("store").asText()).isEqualTo("web");
        assertThat(location.has("status")).isFalse();

        assertThat(owner.get("/v2/images/" + id + "/file").bytes()).isEqualTo(remote);
        Reply range = owner.get("/v2/images/" + id + "/file", "Range", "bytes=100-199");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.bytes()).isEqualTo(Arrays.copyOfRange(remote, 100, 200));
    }

    @Test
    void replaceChangesMetadataButNotTheUrlsOfAnImageWithLocations() {
        start();
        String id = queued(owner);
        assertThat(patch(owner, id, add("/locations/-", url, obj("foo", "bar"))).status()).isEqualTo(200);
        assertThat(patch(owner, id, add("/locations/-", url + "#new", obj("speed", "88mph"))).status()).isEqualTo(200);
        JsonNode locations = owner.get("/v2/images/" + id).json().get("locations");
        assertThat(locations).extracting(l -> l.get("url").asText()).containsExactly(url, url + "#new");

        List<Object> changed = new ArrayList<>();
        changed.add(obj("url", url, "metadata", obj("foo", "bar", "date", "2015-10-15")));
        changed.add(obj("url", url + "#new", "metadata", obj("speed", "88mph")));
        assertThat(owner.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/locations", "value", changed)))
                .status()).isEqualTo(200);
        Reply other = owner.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/locations", "value",
                List.of(obj("url", url, "metadata", Map.of()), obj("url", url + "#new3", "metadata", Map.of())))));
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.body()).contains("Original locations is not empty");
        assertThat(owner.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/locations", "value",
                List.of(obj("url", url, "metadata", Map.of()))))).status()).isEqualTo(400);
        Reply empty = owner.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/locations", "value", List.of())));
        assertThat(empty.status()).isEqualTo(403);
        assertThat(empty.body()).contains("Cannot set locations to empty list.");

        JsonNode after = owner.get("/v2/images/" + id).json().get("locations");
        assertThat(after.get(0).get("metadata").get("date").asText()).isEqualTo("2015-10-15");
        assertThat(after).hasSize(2);
    }

    @Test
    void validationDataSetsTheHashesOfAQueuedImageAndMustMatchThemAfterwards() {
        start();
        String id = queued(owner);
        Map<String, Object> data = obj("checksum", "1".repeat(32), "os_hash_algo", "sha512",
                "os_hash_value", SHA512_OF_NOTHING_SIZED);
        assertThat(patch(owner, id, obj("op", "add", "path", "/locations/-", "value",
                obj("url", url, "metadata", Map.of(), "validation_data", data))).status()).isEqualTo(200);
        JsonNode image = owner.get("/v2/images/" + id).json();
        assertThat(image.get("checksum").asText()).isEqualTo("1".repeat(32));
        assertThat(image.get("os_hash_algo").asText()).isEqualTo("sha512");
        assertThat(image.get("os_hash_value").asText()).isEqualTo(SHA512_OF_NOTHING_SIZED);
        assertThat(image.get("locations").get(0).has("validation_data")).isFalse();

        assertThat(patch(owner, id, obj("op", "add", "path", "/locations/-", "value",
                obj("url", url + "#same", "metadata", Map.of(), "validation_data", data))).status()).isEqualTo(200);
        for (Map.Entry<String, Object> wrong : Map.<String, Object>of("checksum", "2".repeat(32), "os_hash_algo", "sha256",
                "os_hash_value", "beefdead".repeat(16)).entrySet()) {
            Map<String, Object> bad = new java.util.HashMap<>(data);
            bad.put(wrong.getKey(), wrong.getValue());
            Reply r = patch(owner, id, obj("op", "add", "path", "/locations/-", "value",
                    obj("url", url + "#other", "metadata", Map.of(), "validation_data", bad)));
            assertThat(r.status()).as(wrong.getKey()).isEqualTo(409);
            assertThat(r.body()).contains(wrong.getKey() + " is already set with a different value");
        }
        assertThat(owner.get("/v2/images/" + id).json().get("locations")).hasSize(2);
    }

    @Test
    void newValidationDataMustUseTheConfiguredAlgorithmAndSizes() {
        start();
        String id = queued(owner);
        Reply algo = patch(owner, id, obj("op", "add", "path", "/locations/-", "value", obj("url", url, "metadata",
                Map.of(), "validation_data", obj("os_hash_algo", "sha256", "os_hash_value", "ab".repeat(32)))));
        assertThat(algo.status()).isEqualTo(409);
        assertThat(algo.body()).contains("os_hash_algo must be sha512, not sha256");
        Reply size = patch(owner, id, obj("op", "add", "path", "/locations/-", "value", obj("url", url, "metadata",
                Map.of(), "validation_data", obj("os_hash_algo", "sha512", "os_hash_value", "abcd"))));
        assertThat(size.status()).isEqualTo(409);
        assertThat(size.body()).contains("is not the correct size for sha512 (should be 64 bytes)");
        Reply schema = patch(owner, id, obj("op", "add", "path", "/locations/-", "value", obj("url", url, "metadata",
                Map.of(), "validation_data", obj("os_hash_value", "abcd"))));
        assertThat(schema.status()).isEqualTo(400);
        assertThat(owner.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
    }

    @Test
    void refusesLocationsNoConfiguredStoreServesOrTheFilterRefuses() {
        start();
        String id = queued(owner);
        for (String bad : List.of("gopher://info.cern.ch", "file:///etc/passwd", "file://" + server.dataDir().resolve("x"),
                web.url("/missing"), web.put("/empty", new byte[0]), "http://127.0.0.1:1/x", "http://169.254.169.254/latest")) {
            Reply r = patch(owner, id, add("/locations/-", bad, Map.of()));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).contains("Invalid location");
        }
        assertThat(web.requests()).containsOnly("HEAD /missing", "HEAD /empty");
        assertThat(patch(owner, id, obj("op", "add", "path", "/locations/-", "value", obj("url", url))).status())
                .as("metadata is required").isEqualTo(400);
        Reply position = patch(owner, id, add("/locations/x", url, Map.of()));
        assertThat(position.status()).isEqualTo(400);
        assertThat(position.body()).contains("Invalid position for adding a location.");
        assertThat(owner.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
    }

    @Test
    void aQueuedImageNeedsItsFormatsAndAnImageBeingWrittenTakesNoLocation() {
        start();
        String id = owner.post("/v2/images", obj("name", "no-formats")).json().get("id").asText();
        Reply r = patch(owner, id, add("/locations/-", url, Map.of()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Properties disk_format, container_format must be set prior to saving data.");

        String deactivated = queued(owner);
        assertThat(patch(owner, deactivated, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        assertThat(admin.post("/v2/images/" + deactivated + "/actions/deactivate", "").status()).isEqualTo(204);
        Reply conflict = patch(owner, deactivated, add("/locations/-", url + "#2", Map.of()));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body()).contains("It's not allowed to add locations if image status is deactivated.");
    }

    @Test
    void imageLocationQuotaIsEnforced() {
        start("image_location_quota = 1");
        String id = queued(owner);
        assertThat(patch(owner, id, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        Reply r = patch(owner, id, add("/locations/-", url + "#2", Map.of()));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("Attempted: 2, Maximum: 1");
        assertThat(patch(owner, id, add("/locations/-", url, Map.of())).status()).as("duplicate").isIn(400, 413);
    }

    @Test
    void removingIsForAdminsNeverTheLastAndRemovesOnlyDataGlintWrote() throws Exception {
        start();
        String id = queued(owner);
        assertThat(owner.put("/v2/images/" + id + "/file", remote, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        Path fast = server.dataDir().resolve("images").resolve("fast");
        assertThat(filesUnder(fast, id)).isEqualTo(1);
        assertThat(patch(owner, id, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        assertThat(owner.get("/v2/images/" + id).json().get("stores").asText()).isEqualTo("fast,web");

        Reply member = patch(owner, id, obj("op", "remove", "path", "/locations/1"));
        assertThat(member.status()).isEqualTo(403);
        assertThat(member.body()).contains("delete_image_location");
        assertThat(patch(admin, id, obj("op", "remove", "path", "/locations/5")).status()).isEqualTo(400);

        // the owned file location goes, with its file; the web server's data is never touched
        assertThat(patch(admin, id, obj("op", "remove", "path", "/locations/0")).status()).isEqualTo(200);
        assertThat(filesUnder(fast, id)).isZero();
        assertThat(owner.get("/v2/images/" + id).json().get("stores").asText()).isEqualTo("web");
        assertThat(owner.get("/v2/images/" + id + "/file").bytes()).isEqualTo(remote);

        Reply last = patch(admin, id, obj("op", "remove", "path", "/locations/0"));
        assertThat(last.status()).isEqualTo(403);
        assertThat(last.body()).contains("Cannot remove last location in the image.");
        assertThat(owner.delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(web.requests()).noneMatch(r -> r.startsWith("DELETE"));
        assertThat(pendingData()).isZero();
    }

    @Test
    void locationsAreOrderedByStoreWeightAndDownloadsReadTheHeaviestFirst() throws Exception {
        server = TestServer.start(config(web, "show_image_direct_url = true", "[fast]", "weight = 10", "[cheap]",
                "weight = 50"));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        String id = queued(admin);
        byte[] data = random(4096);
        assertThat(admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("cheap"))).status()).isEqualTo(202);
        JsonNode image = ImportApiTest.awaitImage(admin, id, i -> i.path("stores").asText().contains("cheap"));
        assertThat(image.get("stores").asText()).isEqualTo("cheap,fast");
        assertThat(image.get("locations")).extracting(l -> l.at("/metadata/store").asText()).containsExactly("cheap", "fast");
        assertThat(image.get("direct_url").asText()).isEqualTo(image.get("locations").get(0).get("url").asText());

        // the copy in cheap is what a download reads: altered behind Glint's back, the download shows it
        Path cheapFile = server.dataDir().resolve("images").resolve("cheap").resolve(id);
        byte[] altered = data.clone();
        altered[0] ^= 1;
        Files.write(cheapFile, altered);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(altered);
        Files.delete(cheapFile);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).as("then the next location").isEqualTo(data);
    }

    @Test
    void aDownloadTriesTheNextLocationWhenAStoreFailsBeforeSendingAnything() {
        server = TestServer.start(config(web, "[web]", "weight = 100"));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        String id = queued(admin);
        assertThat(admin.put("/v2/images/" + id + "/file", remote, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(patch(admin, id, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        assertThat(admin.get("/v2/images/" + id).json().get("stores").asText()).isEqualTo("web,fast");
        web.redirect("/cirros.img", "/cirros.img"); // the web server now loops: the http store gives up
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(remote);
        assertThat(web.requests()).filteredOn(r -> r.startsWith("GET")).hasSize(5);
    }

    /** Rows of the data journal: what is still to remove. */
    private long pendingData() {
        return server.rows("pending_data");
    }

    static String sha512(byte[] data) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-512").digest(data));
    }
}
