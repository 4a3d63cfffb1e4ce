package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import glint.testing.ApiClient.Reply;
import glint.testing.ApiClient;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Interoperable image import over real HTTP (Glance's api-ref "Interoperable image import", images.py
 * {@code import_image}, image_data.py {@code stage}): stage, the three methods, the tasks they leave, and the
 * errors. web-download fetches from an HTTP server on loopback that the test starts.
 */
class ImportApiTest {
    private static HttpServer web;
    private static final byte[] WEB_FILE = random(300_000);
    private static final java.util.concurrent.CountDownLatch STALL = new java.util.concurrent.CountDownLatch(1);
    private static final java.util.concurrent.CountDownLatch STALLED = new java.util.concurrent.CountDownLatch(1);

    @BeforeAll
    static void startWebServer() throws IOException {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/image.img", ex -> {
            ex.sendResponseHeaders(200, WEB_FILE.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(WEB_FILE);
            }
        });
        web.createContext("/redirect-to-image", ex -> {
            ex.getResponseHeaders().add("Location", "/image.img");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        web.createContext("/redirect-to-localhost", ex -> {
            ex.getResponseHeaders().add("Location", "http://localhost:" + web.getAddress().getPort() + "/image.img");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        web.createContext("/stalls.img", ex -> {
            ex.sendResponseHeaders(200, WEB_FILE.length);
            OutputStream out = ex.getResponseBody();
            out.write(WEB_FILE, 0, 1000);
            out.flush();
            STALLED.countDown();
            try {
                STALL.await(30, java.util.concurrent.TimeUnit.SECONDS);
                out.write(WEB_FILE, 1000, WEB_FILE.length - 1000);
            } catch (InterruptedException | IOException e) {
                // the test is over or Glint went away
            }
            ex.close();
        });
        web.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
    }

    @AfterAll
    static void stopWebServer() {
        STALL.countDown();
        web.stop(0);
    }

    static String webUrl(String path) {
        return "http://127.0.0.1:" + web.getAddress().getPort() + path;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    static String newImage(ApiClient client) {
        Reply r = client.post("/v2/images", obj("name", "imp", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static Reply stage(ApiClient client, String id, byte[] data) {
        return client.put("/v2/images/" + id + "/stage", data, "Content-Type", "application/octet-stream");
    }

    /** Polls the image as a client does until {@code done} holds; fails after 20 s. */
    static JsonNode awaitImage(ApiClient client, String id, Predicate<JsonNode> done) {
        JsonNode image = Poll.until(Duration.ofSeconds(20), () -> client.get("/v2/images/" + id).json(), done);
        assertThat(done.test(image)).as("image %s did not get there: %s", id, image).isTrue();
        return image;
    }

    static JsonNode awaitTask(ApiClient client, String imageId, String status) {
        java.util.function.Predicate<JsonNode> there = t -> !t.isEmpty() && t.get(t.size() - 1).get("status").asText().equals(status);
        JsonNode tasks = Poll.until(Duration.ofSeconds(20), () -> client.get("/v2/images/" + imageId + "/tasks").json().get("tasks"), there);
        assertThat(there.test(tasks)).as("tasks of %s: %s", imageId, tasks).isTrue();
        return tasks.get(tasks.size() - 1);
    }

    static long filesUnder(Path dir) throws IOException {
        return filesUnder(dir, "");
    }

    /** Files under {@code dir} whose name contains {@code part} (a store names its files after the image id). */
    static long filesUnder(Path dir, String part) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().contains(part)).count();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SingleStore {
        TestServer server;
        ApiClient alice;
        ApiClient bob;
        ApiClient admin;

        @BeforeAll
        void start() {
            server = TestServer.start("image_size_cap = 1000000",
                    "[import_filtering_opts]", "allowed_hosts = [127.0.0.1]",
                    "allowed_ports = [80, 443, " + web.getAddress().getPort() + "]");
            admin = new ApiClient(server.baseUrl(), server.adminToken());
            alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
            bob = new ApiClient(server.baseUrl(), server.tokenFor("beta", "bob", "member"));
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void createAnswersWithTheImportMethodsHeaderAndNoStoreIds() {
            Reply r = alice.post("/v2/images", obj("name", "h"));
            assertThat(r.header("OpenStack-image-import-methods")).contains("glance-direct,web-download,copy-image");
            assertThat(r.header("OpenStack-image-store-ids")).isEmpty();
        }

        @Test
        void glanceDirectStagesThenImportsToActiveWithHashesAndASuccessfulTask() throws Exception {
            String id = newImage(alice);
            byte[] data = random(200_000);
            assertThat(stage(alice, id, data).status()).isEqualTo(204);
            JsonNode staged = alice.get("/v2/images/" + id).json();
            assertThat(staged.get("status").asText()).isEqualTo("uploading");
            assertThat(staged.get("size").asLong()).isEqualTo(data.length);
            assertThat(staged.has("os_glance_stage_host")).as("hidden as in Glance").isFalse();

            Reply accepted = alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct")));
            assertThat(accepted.status()).isEqualTo(202);
            JsonNode active = awaitImage(alice, id, i -> i.get("status").asText().equals("active"));
            assertThat(active.get("checksum").asText()).isEqualTo(hex("MD5", data));
            assertThat(active.get("os_hash_value").asText()).isEqualTo(hex("SHA-512", data));
            assertThat(active.get("size").asLong()).isEqualTo(data.length);
            assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);

            JsonNode task = awaitTask(alice, id, "success");
            assertThat(task.get("type").asText()).isEqualTo("api_image_import");
            assertThat(task.get("request_id").asText()).isEqualTo(accepted.header("x-openstack-request-id").orElseThrow());
            assertThat(task.at("/input/import_req/method/name").asText()).isEqualTo("glance-direct");
            assertThat(task.at("/result/image_id").asText()).isEqualTo(id);
            assertThat(task.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
            JsonNode after = awaitImage(alice, id, i -> !i.has("os_glance_import_task"));
            assertThat(after.get("os_glance_importing_to_stores").asText()).isEmpty();
            assertThat(after.get("os_glance_failed_import").asText()).isEmpty();
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).as("staged data removed").isZero();

            JsonNode shown = admin.get("/v2/tasks/" + task.get("id").asText()).json();
            assertThat(shown.get("status").asText()).isEqualTo("success");
            assertThat(shown.get("self").asText()).isEqualTo("/v2/tasks/" + task.get("id").asText());
            assertThat(shown.get("expires_at").asText()).endsWith("Z");
            assertThat(alice.get("/v2/tasks/" + task.get("id").asText()).status()).as("tasks_api_access is admin").isEqualTo(403);
        }

        @Test
        void stageRefusesWrongTypeWrongStateAndOtherProjects() {
            String id = newImage(alice);
            assertThat(alice.put("/v2/images/" + id + "/stage", new byte[1], "Content-Type", "text/plain").status()).isEqualTo(415);
            assertThat(bob.put("/v2/images/" + id + "/stage", new byte[1], "Content-Type", "application/octet-stream").status())
                    .as("not visible to another project").isEqualTo(404);
            assertThat(stage(alice, id, random(10)).status()).isEqualTo(204);
            Reply again = stage(alice, id, random(10));
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body()).contains("Image status transition from uploading to uploading is not allowed");
        }

        @Test
        void stageOverTheSizeCapIs413AndTheImageGoesBackToQueued() throws IOException {
            String id = newImage(alice);
            assertThat(stage(alice, id, random(1_000_001)).status()).isEqualTo(413);
            JsonNode image = alice.get("/v2/images/" + id).json();
            assertThat(image.get("status").asText()).isEqualTo("queued");
            assertThat(image.get("size").isNull()).isTrue();
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).isZero();
            assertThat(stage(alice, id, random(10)).status()).as("can stage again").isEqualTo(204);
        }

        @Test
        void deletingAStagedImageRemovesTheStagedData() throws IOException {
            String id = newImage(alice);
            assertThat(stage(alice, id, random(1000)).status()).isEqualTo(204);
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).isPositive();
            assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(204);
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).isZero();
        }

        @Test
        void importErrorsAreGlances() {
            String id = newImage(alice);
            String path = "/v2/images/" + id + "/import";
            assertThat(alice.post(path, obj("foo", 1)).body()).contains("Import request requires a 'method' field.");
            assertThat(alice.post(path, obj("method", obj())).body()).contains("Import request requires a 'name' field.");
            Reply unknown = alice.post(path, obj("method", obj("name", "glance-download")));
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body()).contains("Unknown import method name 'glance-download'.");
            assertThat(alice.post(path, obj("method", obj("name", "glance-direct"), "all_stores", "yes")).body())
                    .contains("'all_stores' must be boolean value only");
            Reply notStaged = alice.post(path, obj("method", obj("name", "glance-direct")));
            assertThat(notStaged.status()).isEqualTo(409);
            assertThat(notStaged.body()).contains("Image needs to be staged before 'glance-direct' method can be used");
            Reply notActive = admin.post(path, obj("method", obj("name", "copy-image")));
            assertThat(notActive.status()).isEqualTo(409);
            assertThat(notActive.body()).contains("Only images with status active can be targeted for copying");
            Reply mustSucceed = alice.post(path, obj("method", obj("name", "web-download", "uri", webUrl("/image.img")),
                    "all_stores_must_succeed", false));
            assertThat(mustSucceed.status()).isEqualTo(400);
            assertThat(mustSucceed.body()).contains("All_stores_must_succeed can only be set with enabled_backends");
            assertThat(bob.post(path, obj("method", obj("name", "web-download"))).status()).isEqualTo(404);
            assertThat(alice.post("/v2/images/" + java.util.UUID.randomUUID() + "/import",
                    obj("method", obj("name", "glance-direct"))).status()).isEqualTo(404);

            String noFormats = alice.post("/v2/images", obj("name", "nf")).json().get("id").asText();
            Reply formats = alice.post("/v2/images/" + noFormats + "/import", obj("method", obj("name", "web-download",
                    "uri", webUrl("/image.img"))));
            assertThat(formats.status()).isEqualTo(409);
            assertThat(formats.body()).contains("'container_format' needs to be set before import");
        }

        @Test
        void anActiveImageCannotBeImportedInto() {
            String id = newImage(alice);
            assertThat(alice.put("/v2/images/" + id + "/file", random(10), "Content-Type", "application/octet-stream").status())
                    .isEqualTo(204);
            Reply r = alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download", "uri", webUrl("/image.img"))));
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.body()).contains("Image with status active cannot be target for import");
            Reply copy = admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image")));
            assertThat(copy.status()).as("single store: the image is already in the only store").isEqualTo(400);
            assertThat(copy.body()).contains("Image is already present at store 'file'");
        }

        @Test
        void webDownloadFollowsARedirectAndImportsTheData() throws Exception {
            String id = newImage(alice);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                    "uri", webUrl("/redirect-to-image")))).status()).isEqualTo(202);
            JsonNode active = awaitImage(alice, id, i -> i.get("status").asText().equals("active"));
            assertThat(active.get("os_hash_value").asText()).isEqualTo(hex("SHA-512", WEB_FILE));
            assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(WEB_FILE);
            assertThat(awaitTask(alice, id, "success").at("/input/import_req/method/uri").asText()).endsWith("/redirect-to-image");
        }

        @Test
        void webDownloadOfAMissingFileFailsTheTaskAndTheImageGoesBackToQueued() throws IOException {
            String id = newImage(alice);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                    "uri", webUrl("/missing")))).status()).isEqualTo(202);
            JsonNode task = awaitTask(alice, id, "failure");
            assertThat(task.get("message").asText()).contains("404");
            JsonNode image = awaitImage(alice, id, i -> i.get("status").asText().equals("queued") && !i.has("os_glance_import_task"));
            assertThat(image.get("size").isNull()).isTrue();
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).isZero();
        }

        @Test
        void aRedirectIsCheckedByTheFilterAgain() {
            // localhost is not in allowed_hosts: the redirect must not lead there (Debian's redirect bypass fix)
            String id = newImage(alice);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                    "uri", webUrl("/redirect-to-localhost")))).status()).isEqualTo(202);
            assertThat(awaitTask(alice, id, "failure").get("message").asText()).contains("does not pass filtering");
            awaitImage(alice, id, i -> i.get("status").asText().equals("queued"));
        }

        @Test
        void webDownloadRefusesSchemesPortsAndHostsTheFilterDoesNotAllow() {
            for (String uri : List.of("ftp://127.0.0.1/x", "http://127.0.0.1:1/x", "http://localhost:" + web.getAddress().getPort() + "/x",
                    "http://2130706433/x", "file:///etc/passwd")) {
                String id = newImage(alice);
                Reply r = alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download", "uri", uri)));
                assertThat(r.status()).as(uri).isEqualTo(400);
                assertThat(r.body()).contains("URI for web-download does not pass filtering: " + uri);
                assertThat(alice.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
            }
        }

        @Test
        void deletingAnImageWhileItImportsFailsTheTaskAndLeavesNoData() throws Exception {
            String id = newImage(alice);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                    "uri", webUrl("/stalls.img")))).status()).isEqualTo(202);
            assertThat(STALLED.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            JsonNode importing = alice.get("/v2/images/" + id).json();
            assertThat(importing.get("status").asText()).isEqualTo("importing");
            String taskId = importing.get("os_glance_import_task").asText();
            assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(204);
            STALL.countDown();
            JsonNode task = Poll.until(Duration.ofSeconds(20), () -> admin.get("/v2/tasks/" + taskId).json(),
                    t -> t.get("status").asText().equals("failure"));
            assertThat(task.get("status").asText()).as("task %s", task).isEqualTo("failure");
            assertThat(task.get("message").asText()).contains("Image has been deleted, aborting import.");
            assertThat(filesUnder(server.dataDir().resolve("staging"), id)).isZero();
            assertThat(filesUnder(server.dataDir().resolve("images"), id)).isZero();
        }

        @Test
        void aSecondImportWhileOneRunsIsAConflict() {
            String id = newImage(alice);
            assertThat(stage(alice, id, random(100)).status()).isEqualTo(204);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status()).isEqualTo(202);
            Reply second = alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct")));
            // importing (or already active): either way not a second import
            assertThat(second.status()).isEqualTo(409);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class LoopbackNotAllowed {
        @Test
        void webDownloadFromLoopbackIsRefusedUnlessAllowedHostsSaysSo() {
            try (TestServer server = TestServer.start("[import_filtering_opts]",
                    "allowed_ports = [" + web.getAddress().getPort() + "]")) {
                ApiClient alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
                String id = newImage(alice);
                Reply r = alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                        "uri", webUrl("/image.img"))));
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.body()).contains("URI for web-download does not pass filtering");
            }
        }

        @Test
        void stageIs404WhenGlanceDirectIsNotEnabled() {
            try (TestServer server = TestServer.start("enabled_import_methods = web-download")) {
                ApiClient alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
                String id = newImage(alice);
                Reply r = stage(alice, id, random(10));
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).contains("'glance-direct' method is not available at this site.");
                assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).body())
                        .contains("Unknown import method name 'glance-direct'.");
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class MultiStore {
        TestServer server;
        ApiClient alice;
        ApiClient admin;

        @BeforeAll
        void start() {
            server = TestServer.start("enabled_backends = fast:file, cheap:file",
                    "[glance_store]", "default_backend = fast",
                    "[import_filtering_opts]", "allowed_hosts = [127.0.0.1]",
                    "allowed_ports = [" + web.getAddress().getPort() + "," + closedPort() + "]");
            admin = new ApiClient(server.baseUrl(), server.adminToken());
            alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void createNamesTheStores() {
            assertThat(alice.post("/v2/images", obj("name", "h")).header("OpenStack-image-store-ids")).contains("fast,cheap");
        }

        @Test
        void glanceDirectToAllStores() {
            String id = newImage(alice);
            byte[] data = random(50_000);
            assertThat(stage(alice, id, data).status()).isEqualTo(204);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"), "all_stores", true))
                    .status()).isEqualTo(202);
            JsonNode image = awaitImage(alice, id, i -> i.get("status").asText().equals("active")
                    && i.path("stores").asText().equals("fast,cheap")); // as imported (equal weights): Glance's order
            assertThat(image.get("os_glance_failed_import").asText()).isEmpty();
            assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
        }

        @Test
        void glanceDirectToTheStoreNamedByTheHeader() {
            String id = newImage(alice);
            assertThat(stage(alice, id, random(100)).status()).isEqualTo(204);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct")),
                    "X-Image-Meta-Store", "cheap").status()).isEqualTo(202);
            awaitImage(alice, id, i -> i.get("status").asText().equals("active") && i.path("stores").asText().equals("cheap"));
        }

        @Test
        void storeErrors() {
            String id = newImage(alice);
            String path = "/v2/images/" + id + "/import";
            Reply unknown = alice.post(path, obj("method", obj("name", "web-download", "uri", webUrl("/image.img")), "stores", List.of("nope")));
            assertThat(unknown.status()).isEqualTo(409);
            assertThat(unknown.body()).contains("Unknown scheme 'nope' found in URI");
            Reply both = alice.post(path, obj("method", obj("name", "web-download", "uri", webUrl("/image.img")), "all_stores", true,
                    "stores", List.of("fast")));
            assertThat(both.status()).isEqualTo(400);
            assertThat(both.body()).contains("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
            Reply header = alice.post(path, obj("method", obj("name", "web-download", "uri", webUrl("/image.img")), "stores", List.of("fast")),
                    "X-Image-Meta-Store", "cheap");
            assertThat(header.body()).contains("Stores parameter and x-image-meta-store header can't be both specified");
            Reply staging = alice.post(path, obj("method", obj("name", "web-download", "uri", webUrl("/image.img")),
                    "stores", List.of("os_glance_staging_store")));
            assertThat(staging.status()).as("the staging store is reserved").isEqualTo(409);
        }

        @Test
        void copyImageToAllStoresSkipsTheStoreThatHasIt() throws IOException {
            String id = newImage(alice);
            byte[] data = random(70_000);
            assertThat(alice.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"), "all_stores", true))
                    .status()).as("copy_image is admin-only").isEqualTo(403);
            assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"), "all_stores", true,
                    "all_stores_must_succeed", false)).status()).isEqualTo(202);
            JsonNode image = awaitImage(alice, id, i -> i.has("os_glance_importing_to_stores")
                    && i.get("os_glance_importing_to_stores").asText().isEmpty() && !i.has("os_glance_import_task"));
            assertThat(image.get("os_glance_failed_import").asText()).isEmpty();
            assertThat(image.get("stores").asText()).isEqualTo("fast,cheap"); // uploaded, then copied: Glance's order
            assertThat(image.get("status").asText()).isEqualTo("active");
            assertThat(filesUnder(server.dataDir().resolve("images").resolve("cheap"))).isPositive();

            Reply again = admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"), "stores", List.of("cheap")));
            assertThat(again.status()).isEqualTo(400);
            assertThat(again.body()).contains("Image is already present at store 'cheap'");
            assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"), "all_stores", true))
                    .status()).as("nothing left to copy: accepted, no task").isEqualTo(202);
            assertThat(admin.get("/v2/images/" + id + "/tasks").json().get("tasks")).hasSize(1);
            assertThat(alice.get("/v2/images/" + id + "/tasks").json().get("tasks"))
                    .as("the copy task is the admin project's (Glance's _is_task_visible)").isEmpty();
        }

        @Test
        void webDownloadThatCannotConnectIsAcceptedThenReportsTheFailedStore() {
            // Tempest's test_image_web_download_import_with_bad_url: 202 first, then the store in os_glance_failed_import
            String id = newImage(alice);
            assertThat(alice.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                    "uri", "http://127.0.0.1:" + closedPort + "/nothing"), "stores", List.of("cheap"))).status()).isEqualTo(202);
            JsonNode image = awaitImage(alice, id, i -> !i.path("os_glance_failed_import").asText().isEmpty());
            assertThat(image.get("os_glance_failed_import").asText()).isEqualTo("cheap");
            awaitImage(alice, id, i -> i.get("status").asText().equals("queued"));
        }

        int closedPort;

        int closedPort() {
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
                return closedPort;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
