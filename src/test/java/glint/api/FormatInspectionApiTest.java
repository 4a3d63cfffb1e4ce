package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.ImageTool;
import glint.testing.TestServer;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every path that writes image data inspects it (glint.format) and refuses what Glance master's rules refuse, with
 * Glance's 415; images made by qemu-img at test time.
 */
@DatabaseNeutral
class FormatInspectionApiTest {
    private static final String REFUSED = "The request media type application/octet-stream is not supported by this server."
            + "\n<br /><br />\n";
    private static final long GiB = 1L << 30;

    @TempDir
    static Path tools;
    private static TestServer server;
    private static ApiClient alice;
    private static byte[] safeQcow2;
    private static byte[] backedQcow2;

    private static HttpServer web;

    @BeforeAll
    static void start() throws IOException {
        safeQcow2 = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "safe.qcow2", "qcow2", "1G"));
        // CVE-2022-47951's shape: the guest would read a file of the host through the backing chain
        backedQcow2 = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "backed.qcow2", "qcow2", "1G",
                "-u", "-b", "/etc/passwd", "-F", "raw"));
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve("/safe.qcow2", safeQcow2);
        serve("/backed.qcow2", backedQcow2);
        web.start();
        server = TestServer.start("enabled_backends = fast:file, cheap:file",
                "[glance_store]", "default_backend = fast",
                "[import_filtering_opts]", "allowed_hosts = [127.0.0.1]",
                "allowed_ports = [" + web.getAddress().getPort() + "]");
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
    }

    private static void serve(String path, byte[] data) {
        web.createContext(path, ex -> {
            ex.sendResponseHeaders(200, data.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(data);
            }
        });
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + web.getAddress().getPort() + path;
    }

    @AfterAll
    static void stop() {
        server.close();
        web.stop(0);
    }

    private static String newImage(String diskFormat, String containerFormat) {
        Reply r = alice.post("/v2/images", obj("name", "fmt", "disk_format", diskFormat, "container_format", containerFormat));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static Reply upload(String id, byte[] data) {
        return alice.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream",
                "Accept", "application/json");
    }

    private static JsonNode show(String id) {
        return alice.get("/v2/images/" + id).json();
    }

    private static List<Path> storedFiles() throws IOException {
        try (Stream<Path> s = Files.walk(server.dataDir())) {
            return s.filter(Files::isRegularFile).filter(p -> p.startsWith(server.dataDir().resolve("images"))
                    || p.startsWith(server.dataDir().resolve("staging"))).toList();
        }
    }

    private static void assertRefused(Reply r, String detail) {
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.json().get("message").asText()).isEqualTo(REFUSED + detail);
    }

    private static void assertQueuedWithoutData(String id) throws IOException {
        JsonNode image = show(id);
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(image.get("virtual_size").isNull()).isTrue();
        assertThat(storedFiles()).noneMatch(p -> p.getFileName().toString().contains(id));
    }

    @Test
    void aSafeQcow2BecomesActiveWithQemusVirtualSize() {
        String id = newImage("qcow2", "bare");
        assertThat(upload(id, safeQcow2).status()).isEqualTo(204);
        JsonNode image = show(id);
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("virtual_size").asLong()).isEqualTo(GiB);
        assertThat(image.get("size").asLong()).isEqualTo(safeQcow2.length);
    }

    @Test
    void aQcow2WithABackingFileIsRefusedAndTheImageStaysQueuedWithoutData() throws IOException {
        String id = newImage("qcow2", "bare");
        assertRefused(upload(id, backedQcow2), "Image failed safety checks");
        assertQueuedWithoutData(id);
        // the image is not spoiled: the user uploads a good one next
        assertThat(upload(id, safeQcow2).status()).isEqualTo(204);
        assertThat(show(id).get("virtual_size").asLong()).isEqualTo(GiB);
    }

    @Test
    void aQcow2WithABackingFileIsRefusedWhateverTheContainerFormatSays() throws IOException {
        // Glance master inspects container_format=bare only; an "ovf" label would carry this one through
        String id = newImage("qcow2", "ovf");
        assertRefused(upload(id, backedQcow2), "Image failed safety checks");
        assertQueuedWithoutData(id);
    }

    @Test
    void anUnsafeQcow2DeclaredRawIsStillRefused() throws IOException {
        String id = newImage("raw", "bare");
        assertRefused(upload(id, backedQcow2), "Image failed safety checks");
        assertQueuedWithoutData(id);
    }

    @Test
    void aSafeQcow2DeclaredRawStaysRawWithItsFileSizeAsVirtualSize() {
        // Glance's compatibility rule (location.py set_data: disk_format raw, "actual_size")
        String id = newImage("raw", "bare");
        assertThat(upload(id, safeQcow2).status()).isEqualTo(204);
        JsonNode image = show(id);
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("virtual_size").asLong()).isEqualTo(safeQcow2.length);
    }

    @Test
    void rawDataDeclaredQcow2IsAMismatch() throws IOException {
        byte[] random = new byte[1 << 20];
        new Random(7).nextBytes(random);
        String id = newImage("qcow2", "bare");
        assertRefused(upload(id, random), "Image disk_format qcow2 does not match stream data raw");
        assertQueuedWithoutData(id);
    }

    @Test
    void stagingRefusesWhatAnUploadRefusesAndPutsTheImageBackToQueued() throws IOException {
        String id = newImage("qcow2", "bare");
        Reply r = alice.put("/v2/images/" + id + "/stage", backedQcow2, "Content-Type", "application/octet-stream",
                "Accept", "application/json");
        assertRefused(r, "Image failed safety checks");
        assertQueuedWithoutData(id);
    }

    /** A tar of the OVF descriptor and {@code disk} (files in {@link #tools}), made by GNU tar. */
    private static byte[] ova(String name, String disk) throws IOException {
        Files.writeString(tools.resolve("appliance.ovf"), "<?xml version=\"1.0\"?>\n<Envelope/>\n");
        ImageTool.run(tools, "tar", "-cf", name, "appliance.ovf", disk);
        return Files.readAllBytes(tools.resolve(name));
    }

    @Test
    void anOvaIsJudgedByTheDiskInItsTar() throws IOException {
        byte[] safeOva = ova("safe.ova", "safe.qcow2");
        String safe = newImage("qcow2", "ova");
        assertThat(upload(safe, safeOva).status()).isEqualTo(204);
        JsonNode image = show(safe);
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("size").asLong()).isEqualTo(safeOva.length);
        assertThat(image.get("virtual_size").asLong()).as("the disk's, not the tar's size").isEqualTo(GiB);

        String unsafe = newImage("qcow2", "ova");
        assertRefused(upload(unsafe, ova("backed.ova", "backed.qcow2")), "Image failed safety checks");
        assertQueuedWithoutData(unsafe);
    }

    @Test
    void requireImageFormatMatchOffLetsAMismatchThroughButNoUnsafeImage() throws IOException {
        // with the default (rawDataDeclaredQcow2IsAMismatch) the same upload is refused
        byte[] random = new byte[1 << 16];
        new Random(8).nextBytes(random);
        try (TestServer lax = TestServer.start("[image_format]", "require_image_format_match = false")) {
            ApiClient bob = new ApiClient(lax.baseUrl(), lax.tokenFor("alpha", "bob", "member"));
            String mismatch = bob.post("/v2/images", obj("name", "m", "disk_format", "qcow2", "container_format", "bare"))
                    .json().get("id").asText();
            assertThat(bob.put("/v2/images/" + mismatch + "/file", random, "Content-Type", "application/octet-stream")
                    .status()).isEqualTo(204);
            JsonNode image = bob.get("/v2/images/" + mismatch).json();
            assertThat(image.get("status").asText()).isEqualTo("active");
            assertThat(image.get("virtual_size").isNull()).as("unknown: the data is not what it says").isTrue();
            // Glance master runs no safety check once the formats mismatch with the option off; Glint still does
            String unsafe = bob.post("/v2/images", obj("name", "u", "disk_format", "vmdk", "container_format", "bare"))
                    .json().get("id").asText();
            Reply refused = bob.put("/v2/images/" + unsafe + "/file", backedQcow2, "Content-Type",
                    "application/octet-stream", "Accept", "application/json");
            assertThat(refused.status()).isEqualTo(415);
            assertThat(refused.json().get("message").asText()).isEqualTo(REFUSED + "Image failed safety checks");
            assertThat(bob.get("/v2/images/" + unsafe).json().get("status").asText()).isEqualTo("queued");
        }
    }

    // ---- import: every copy it makes is inspected ----------------------------------------------------------------

    private static Reply importImage(String id, Object body) {
        return alice.post("/v2/images/" + id + "/import", body);
    }

    @Test
    void glanceDirectOfASafeQcow2SetsTheVirtualSizeAndCopyImageKeepsIt() {
        String id = newImage("qcow2", "bare");
        assertThat(ImportApiTest.stage(alice, id, safeQcow2).status()).isEqualTo(204);
        assertThat(importImage(id, obj("method", obj("name", "glance-direct"))).status()).isEqualTo(202);
        ImportApiTest.awaitTask(alice, id, "success");
        JsonNode active = show(id);
        assertThat(active.get("status").asText()).isEqualTo("active");
        assertThat(active.get("virtual_size").asLong()).isEqualTo(GiB);

        ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken()); // copy_image: admin by default
        assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("cheap"))).status()).isEqualTo(202);
        JsonNode copied = ImportApiTest.awaitImage(alice, id, i -> i.get("stores").asText().contains("cheap"));
        assertThat(copied.get("virtual_size").asLong()).isEqualTo(GiB);
        assertThat(copied.get("stores").asText().split(",")).containsExactlyInAnyOrder("fast", "cheap");
    }

    @Test
    void copyImageInspectsWhatItCopies() throws IOException {
        // the data in the source store turned into an unsafe qcow2 after the image went active (a store shared with
        // something else, an operator's mistake): the copy reads it, and refuses it as an upload would
        String id = newImage("qcow2", "bare");
        assertThat(upload(id, safeQcow2).status()).isEqualTo(204);
        assertThat(backedQcow2.length).isLessThanOrEqualTo(safeQcow2.length);
        Files.write(server.dataDir().resolve("images").resolve("fast").resolve(id),
                Arrays.copyOf(backedQcow2, safeQcow2.length));
        ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
        assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("cheap"))).status()).isEqualTo(202);
        assertThat(ImportApiTest.awaitTask(admin, id, "failure").get("message").asText())
                .isEqualTo("Image failed safety checks");
        JsonNode image = ImportApiTest.awaitImage(alice, id, i -> !i.has("os_glance_import_task"));
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("stores").asText()).isEqualTo("fast");
        assertThat(image.get("os_glance_failed_import").asText()).isEqualTo("cheap");
        assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("images").resolve("cheap"), id)).isZero();
    }

    @Test
    void webDownloadOfAQcow2WithABackingFileFailsItsTaskAndTheImageCanBeImportedAgain() throws IOException {
        String id = newImage("qcow2", "bare");
        assertThat(importImage(id, obj("method", obj("name", "web-download", "uri", url("/backed.qcow2")))).status())
                .isEqualTo(202);
        JsonNode task = ImportApiTest.awaitTask(alice, id, "failure");
        assertThat(task.get("message").asText()).isEqualTo("Image failed safety checks");
        JsonNode image = show(id);
        assertThat(image.get("os_glance_failed_import").asText()).isEqualTo("fast");
        assertThat(image.get("os_glance_importing_to_stores").asText()).isEmpty();
        assertQueuedWithoutData(id);

        assertThat(importImage(id, obj("method", obj("name", "web-download", "uri", url("/safe.qcow2")))).status())
                .isEqualTo(202);
        ImportApiTest.awaitTask(alice, id, "success");
        assertThat(show(id).get("virtual_size").asLong()).isEqualTo(GiB);
    }

    @Test
    void refusedDataEndsAMultiStoreImportEvenWhenNotAllStoresMustSucceed() throws IOException {
        // a store that fails is skipped with all_stores_must_succeed = false; data the rules refuse is refused by all
        String id = newImage("qcow2", "bare");
        assertThat(importImage(id, obj("method", obj("name", "web-download", "uri", url("/backed.qcow2")),
                "stores", List.of("fast", "cheap"), "all_stores_must_succeed", false)).status()).isEqualTo(202);
        JsonNode task = ImportApiTest.awaitTask(alice, id, "failure");
        assertThat(task.get("message").asText()).isEqualTo("Image failed safety checks");
        assertThat(show(id).get("os_glance_failed_import").asText()).isEqualTo("cheap,fast");
        assertQueuedWithoutData(id);
    }
}
