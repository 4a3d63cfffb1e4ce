package glint.api;

import static glint.api.ImportApiTest.awaitImage;
import static glint.api.ImportApiTest.awaitTask;
import static glint.api.ImportApiTest.hex;
import static glint.api.ImportApiTest.random;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.ImageTool;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * glance-download between two Glint deployments (Glance's glance_download.py and {@code _ImportMetadata}; Tempest
 * 33's {@code test_image_glance_download_import_*}). Glint A has the built-in identity; Glint B runs in keystone
 * mode against A's {@code /identity/v3} with a service user made in A, and is registered in A's catalog as
 * {@code RegionTwo} through Keystone's endpoint API. One token of A's works on both.
 */
@DatabaseNeutral
class GlanceDownloadApiTest {
    private static final String METHODS = "enabled_import_methods = [glance-direct,web-download,copy-image,glance-download]";
    private static final String V3 = "/identity/v3";

    private static TestServer a;
    private static TestServer b;
    private static ApiClient aliceOnA;
    private static ApiClient aliceOnB;
    private static String aliceToken;
    private static FakeImageService fake;

    @BeforeAll
    static void start() throws Exception {
        fake = FakeImageService.start();
        // the import filter lets the task reach the other Glint (and itself) on loopback, on any port
        String[] filter = {"[import_filtering_opts]", "allowed_hosts = [127.0.0.1]", "allowed_ports = []"};
        a = TestServer.start(concat(new String[] {METHODS}, filter));
        ApiClient admin = new ApiClient(a.baseUrl(), a.adminToken());
        // B's service user, as Glance's glance user: role service in project service
        a.tokenFor("service", "glint-b", "service");
        b = TestServer.start(concat(new String[] {METHODS}, filter, new String[] {"[identity]", "mode = keystone",
                "[keystone_authtoken]", "auth_url = " + a.baseUrl() + V3, "username = glint-b", "password = glint-b-secret",
                "project_name = service"}));
        // what `openstack region create RegionTwo` and `openstack endpoint create --region RegionTwo image public URL` send
        assertThat(admin.post(V3 + "/regions", obj("region", obj("id", "RegionTwo"))).status()).isEqualTo(201);
        String image = admin.get(V3 + "/services?type=image").json().at("/services/0/id").asText();
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", image, "interface", "public",
                "region", "RegionTwo", "url", b.baseUrl(), "enabled", true))).status()).isEqualTo(201);
        // a stand-in image service whose answers the tests choose, as RegionThree
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", image, "interface", "public",
                "region", "RegionThree", "url", fake.url() + "/", "enabled", true))).status()).isEqualTo(201);
        aliceToken = a.tokenFor("alpha", "alice", "member");
        aliceOnA = new ApiClient(a.baseUrl(), aliceToken);
        aliceOnB = new ApiClient(b.baseUrl(), aliceToken);
    }

    @AfterAll
    static void stop() {
        fake.stop();
        b.close();
        a.close();
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    /** An active image with these properties (beside name and formats), uploaded through {@code client}. */
    private static JsonNode activeImage(ApiClient client, String disk, byte[] data, Object... props) {
        Map<String, Object> body = obj("name", "src", "disk_format", disk, "container_format", "bare");
        body.putAll(obj(props));
        Reply created = client.post("/v2/images", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        Reply put = client.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
        assertThat(put.status()).as(put.body()).isEqualTo(204);
        return client.get("/v2/images/" + id).json();
    }

    /** A queued image in A as Tempest's destination: ovf/iso, with properties the import is to replace or keep. */
    private static String destination() {
        Reply r = aliceOnA.post("/v2/images", obj("name", "dst", "disk_format", "iso", "container_format", "ovf",
                "hw_cpu_cores", "1", "os_distro", "windows", "keep_me", "yes"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static Reply glanceDownload(ApiClient client, String id, Object... method) {
        Map<String, Object> m = obj("name", "glance-download");
        m.putAll(obj(method));
        return client.post("/v2/images/" + id + "/import", obj("method", m));
    }

    private static void assertUntouched(JsonNode image) {
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("disk_format").asText()).isEqualTo("iso");
        assertThat(image.get("container_format").asText()).isEqualTo("ovf");
        assertThat(image.get("hw_cpu_cores").asText()).isEqualTo("1");
        assertThat(image.get("os_distro").asText()).isEqualTo("windows");
        assertThat(image.get("keep_me").asText()).isEqualTo("yes");
        assertThat(image.has("trait:STORAGE_DISK_SSD")).isFalse();
        assertThat(image.has("os_glance_import_task")).isFalse();
    }

    @Test
    void anImageOfRegionTwoIsImportedWithItsFormatsAndChosenProperties() throws Exception {
        byte[] data = random(300_000);
        JsonNode src = activeImage(aliceOnB, "raw", data, "hw_cpu_cores", "5", "trait:STORAGE_DISK_SSD", "required",
                "os_distro", "rhel", "speed", "88mph");
        String dst = destination();
        // glance_service_interface left out: public
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", src.get("id").asText(), "glance_region", "regiontwo")
                .status()).isEqualTo(202);
        JsonNode task = awaitTask(aliceOnA, dst, "success");
        assertThat(task.at("/input/import_req/method/glance_service_interface").asText()).isEqualTo("public");

        JsonNode image = awaitImage(aliceOnA, dst, i -> i.get("status").asText().equals("active"));
        assertThat(image.get("disk_format").asText()).isEqualTo("raw");
        assertThat(image.get("container_format").asText()).isEqualTo("bare");
        assertThat(image.get("hw_cpu_cores").asText()).isEqualTo("5");
        assertThat(image.get("trait:STORAGE_DISK_SSD").asText()).isEqualTo("required");
        assertThat(image.get("os_distro").asText()).isEqualTo("rhel");
        assertThat(image.has("speed")).isFalse();
        assertThat(image.get("keep_me").asText()).isEqualTo("yes");
        assertThat(image.get("size").asLong()).isEqualTo(data.length);
        // inspected as raw, the copied disk format (iso, the image's own, gives no virtual size)
        assertThat(image.get("virtual_size").asLong()).isEqualTo(data.length);
        assertThat(image.get("checksum").asText()).isEqualTo(src.get("checksum").asText()).isEqualTo(hex("MD5", data));
        assertThat(image.get("os_hash_value").asText()).isEqualTo(src.get("os_hash_value").asText());
        assertThat(aliceOnA.get("/v2/images/" + dst + "/file").bytes()).isEqualTo(data);
    }

    @Test
    void glintInKeystoneModeImportsFromTheRegionOfItsKeystone() {
        // B finds A's image service (RegionOne) in the catalog Keystone (A) returns with the token's validation
        byte[] data = random(70_000);
        JsonNode src = activeImage(aliceOnA, "raw", data, "os_type", "linux");
        Reply r = aliceOnB.post("/v2/images", obj("name", "dst", "disk_format", "iso", "container_format", "ovf"));
        String dst = r.json().get("id").asText();
        assertThat(glanceDownload(aliceOnB, dst, "glance_image_id", src.get("id").asText(), "glance_region", "RegionOne",
                "glance_service_interface", "public").status()).isEqualTo(202);
        awaitTask(aliceOnB, dst, "success");
        JsonNode image = aliceOnB.get("/v2/images/" + dst).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("os_type").asText()).isEqualTo("linux");
        assertThat(aliceOnB.get("/v2/images/" + dst + "/file").bytes()).isEqualTo(data);
    }

    @Test
    void aServiceDownloadsFromItselfInItsOwnRegion() {
        // Tempest's test_image_glance_download_import_success: glance_region is the client's own region
        byte[] data = random(50_000);
        JsonNode src = activeImage(aliceOnA, "raw", data);
        String dst = destination();
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", src.get("id").asText(), "glance_region", "RegionOne",
                "glance_service_interface", "public").status()).isEqualTo(202);
        awaitTask(aliceOnA, dst, "success");
        assertThat(aliceOnA.get("/v2/images/" + dst + "/file").bytes()).isEqualTo(data);
    }

    @Test
    void requestChecks() {
        String dst = destination();
        Reply badUuid = glanceDownload(aliceOnA, dst, "glance_image_id", "foo", "glance_region", "RegionTwo",
                "glance_service_interface", "public");
        assertThat(badUuid.status()).isEqualTo(400);
        assertThat(badUuid.body()).contains("Remote image id does not look like a UUID: foo");
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", UUID.randomUUID().toString()).body())
                .contains("'glance_region' needs to be set for glance-download import method");
        assertThat(glanceDownload(aliceOnA, dst, "glance_region", "RegionTwo").body())
                .contains("'glance_image_id' needs to be set for glance-download import method");
        // Python's uuid.UUID takes braces and no hyphens
        String braced = "{" + UUID.randomUUID().toString().replace("-", "") + "}";
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", braced, "glance_region", "Nowhere").status()).isEqualTo(202);
        awaitTask(aliceOnA, dst, "failure");
        // only a queued image
        String active = activeImage(aliceOnA, "raw", random(1000)).get("id").asText();
        assertThat(glanceDownload(aliceOnA, active, "glance_image_id", UUID.randomUUID().toString(), "glance_region",
                "RegionTwo").body()).contains("Image with status active cannot be target for import");
        // not offered where not enabled (the default)
        try (TestServer plain = TestServer.start()) {
            ApiClient admin = new ApiClient(plain.baseUrl(), plain.adminToken());
            String id = admin.post("/v2/images", obj("name", "x", "disk_format", "raw", "container_format", "bare"))
                    .json().get("id").asText();
            assertThat(admin.get("/v2/info/import").json().at("/import-methods/value").toString()).doesNotContain("glance-download");
            assertThat(glanceDownload(admin, id, "glance_image_id", UUID.randomUUID().toString(), "glance_region", "RegionOne")
                    .body()).contains("Unknown import method name 'glance-download'.");
        }
    }

    @Test
    void anUnknownRegionOrInterfaceFailsTheTaskAndLeavesTheImageAsItWas() {
        String dst = destination();
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", "36d4b546-64a2-4bb9-bdd0-ba676aa48f2c",
                "glance_region", "not a region", "glance_service_interface", "not an interface").status()).isEqualTo(202);
        JsonNode task = awaitTask(aliceOnA, dst, "failure");
        assertThat(task.get("message").asText()).isEqualTo("not an interface glance endpoint not found for region not a region");
        assertUntouched(aliceOnA.get("/v2/images/" + dst).json());

        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", "36d4b546-64a2-4bb9-bdd0-ba676aa48f2c",
                "glance_region", "RegionTwo", "glance_service_interface", "internal").status()).isEqualTo(202);
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText())
                .isEqualTo("internal glance endpoint not found for region RegionTwo");
        assertUntouched(aliceOnA.get("/v2/images/" + dst).json());
    }

    @Test
    void aMissingRemoteImageFailsTheTask() {
        String dst = destination();
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", UUID.randomUUID().toString(),
                "glance_region", "RegionTwo", "glance_service_interface", "public").status()).isEqualTo(202);
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText())
                .startsWith("Fetching glance image metadata from remote host " + b.baseUrl() + "/v2/images/").contains("404");
        assertUntouched(aliceOnA.get("/v2/images/" + dst).json());
    }

    @Test
    void aFailureAfterTheMetadataCopyPutsTheMetadataBack() {
        // the remote service says 1000 bytes and sends 600
        String id = fake.add(remoteImage("active", 1000, "hw_cpu_cores", "8", "trait:STORAGE_DISK_SSD", "required"), random(600));
        String dst = destination();
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", id, "glance_region", "RegionThree").status()).isEqualTo(202);
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText())
                .isEqualTo("The uploaded data (600 bytes) does not match the expected image size of 1000 bytes.");
        JsonNode image = aliceOnA.get("/v2/images/" + dst).json();
        assertUntouched(image);
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(fake.tokens()).contains(aliceToken);
        assertThat(Files.exists(a.dataDir().resolve("staging").resolve(dst))).isFalse();
    }

    @Test
    void anUnsafeRemoteImageIsRefusedAndTheMetadataPutBack(@TempDir Path tools) throws Exception {
        // a qcow2 naming a host file as its backing file, as a Glance that inspects nothing (25.1, or master for
        // container formats other than bare) may hold and serve
        byte[] backed = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "backed.qcow2", "qcow2", "1G",
                "-u", "-b", "/etc/passwd", "-F", "raw"));
        String id = fake.add(remoteImage("active", backed.length, "disk_format", "qcow2"), backed);
        String dst = destination();
        assertThat(glanceDownload(aliceOnA, dst, "glance_image_id", id, "glance_region", "RegionThree").status())
                .isEqualTo(202);
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText()).isEqualTo("Image failed safety checks");
        JsonNode image = aliceOnA.get("/v2/images/" + dst).json();
        assertUntouched(image);
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(image.get("virtual_size").isNull()).isTrue();
        assertThat(Files.exists(a.dataDir().resolve("staging").resolve(dst))).isFalse();
    }

    @Test
    void theRemoteImageMustBeActiveAndHaveASize() {
        String dst = destination();
        String queued = fake.add(remoteImage("queued", 10), new byte[10]);
        glanceDownload(aliceOnA, dst, "glance_image_id", queued, "glance_region", "RegionThree");
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText())
                .isEqualTo("Source image status should be active instead of queued");
        assertUntouched(aliceOnA.get("/v2/images/" + dst).json());

        Map<String, Object> sizeless = remoteImage("active", 10, "os_distro", "rhel");
        sizeless.put("size", null);
        String noSize = fake.add(sizeless, new byte[10]);
        glanceDownload(aliceOnA, dst, "glance_image_id", noSize, "glance_region", "RegionThree");
        assertThat(awaitTask(aliceOnA, dst, "failure").get("message").asText())
                .isEqualTo("Size attribute of remote image " + noSize + " could not be determined.");
        assertUntouched(aliceOnA.get("/v2/images/" + dst).json());
    }

    /** A remote image's JSON as Glance shows it. */
    private static Map<String, Object> remoteImage(String status, long size, Object... props) {
        Map<String, Object> image = obj("status", status, "disk_format", "raw", "container_format", "bare", "size", size,
                "os_hidden", false, "os_hash_algo", "sha512", "os_glance_import_task", "x");
        image.putAll(obj(props));
        return image;
    }
}
