package glint.cluster;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.GlintProcess;
import glint.testing.Poll;
import glint.testing.S3Proxy;
import glint.testing.SwiftFixture;
import glint.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Several Glint processes on one database, one image store and one shared staging directory behave as one
 * service: what one node does, another sees and continues; a node killed mid-upload or mid-import leaves its image
 * queued and its task failed once its lease expires ({@code [cluster] node_lease_time = 3}), recovered by a live
 * node, and the retry through another node succeeds. The image store is the one a cluster on that database is
 * tested with in the interop stages too: S3 (S3Proxy) on PostgreSQL, Swift on MariaDB (when the test command
 * started one), a shared directory on SQLite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
    private static final String PASSWORD = "cluster-secret";
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    private Path root;
    private String dbUrl;
    private HttpServer web;
    private final CountDownLatch releaseWeb = new CountDownLatch(1);
    private final CountDownLatch webHalfSent = new CountDownLatch(1);
    private final List<GlintProcess> nodes = new ArrayList<>();
    private GlintProcess a;
    private GlintProcess b;
    private SharedStore store;
    private volatile String lastListingFailure = "none";

    /**
     * The nodes' image store: their configuration lines, and what it holds of an image (objects, uploads, segments,
     * files), null while it cannot tell (S3Proxy answers a listing 500 while a part is being written).
     */
    private record SharedStore(String config, Function<String, List<String>> held) {
        boolean holdsSomething(String id) {
            List<String> held = held().apply(id);
            return held != null && !held.isEmpty();
        }

    }

    private SharedStore sharedStore() {
        SwiftFixture swift = SwiftFixture.fromSystemProperties();
        if (TestDatabases.selected().equals("postgresql")) {
            S3Proxy s3 = S3Proxy.shared();
            String bucket = s3.newBucket();
            return new SharedStore(backend("s3", s3.storeOptions(bucket, "s3_store_large_object_size", "5",
                    "s3_store_large_object_chunk_size", "5")), id -> {
                        try {
                            return containing(s3.storedObjects(bucket), id);
                        } catch (SdkException listingFailedWhileAPartWasWritten) {
                            lastListingFailure = listingFailedWhileAPartWasWritten.toString();
                            return null;
                        }
                    });
        }
        if (TestDatabases.selected().equals("mariadb") && swift != null) {
            String container = swift.newContainer();
            return new SharedStore(backend("swift", swift.storeOptions(container, "swift_store_large_object_size", "5",
                    "swift_store_large_object_chunk_size", "5")), id -> containing(swift.objects(container), id));
        }
        Path images = root.resolve("shared/images");
        return new SharedStore("[glance_store]\nfilesystem_store_datadir = " + images + "\n", id -> files(images, id));
    }

    private static String backend(String type, Map<String, String> options) {
        StringBuilder ini = new StringBuilder("[DEFAULT]\nenabled_backends = shared:" + type
                + "\n[glance_store]\ndefault_backend = shared\n[shared]\n");
        options.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        return ini.toString();
    }

    private static List<String> containing(List<String> names, String id) {
        return names.stream().filter(n -> n.contains(id)).toList();
    }

    @BeforeAll
    void startTwoNodes() throws Exception {
        root = Files.createTempDirectory("glint-cluster-");
        dbUrl = TestDatabases.fresh(root);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/stalls.img", ex -> {
            ex.sendResponseHeaders(200, 3 << 20);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[1 << 20]);
            out.flush();
            webHalfSent.countDown();
            try {
                releaseWeb.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        web.setExecutor(Executors.newCachedThreadPool());
        web.start();
        store = sharedStore();
        a = node("a"); // first alone: it bootstraps the admin
        b = node("b");
    }

    @AfterAll
    void stop() throws IOException {
        releaseWeb.countDown();
        nodes.forEach(GlintProcess::close);
        web.stop(0);
        TestDatabases.drop(dbUrl);
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A node with a data dir of its own, on the shared database, image store and staging directory. */
    private GlintProcess node(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.writeString(dir.resolve("glint.conf"), store.config() + "[database]\nconnection = " + dbUrl + "\n"
                + "[os_glance_staging_store]\nfilesystem_store_datadir = " + root.resolve("shared/staging") + "\n"
                + "[cluster]\nshared_staging = true\nnode_lease_time = 3\n"
                + "[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\nallowed_ports = [" + web.getAddress().getPort() + "]\n");
        GlintProcess node = GlintProcess.start(dir, PASSWORD, Duration.ofSeconds(180));
        nodes.add(node);
        return node;
    }

    private static String create(ApiClient api, String name) {
        return api.post("/v2/images", obj("name", name, "disk_format", "raw", "container_format", "bare")).json().get("id").asText();
    }

    private static String status(ApiClient api, String id) {
        return api.get("/v2/images/" + id).json().get("status").asText();
    }

    @Test
    void anImageCreatedThroughOneNodeIsListedDownloadedSharedAndDeletedThroughAnother() {
        ApiClient onA = a.admin();
        ApiClient onB = b.admin();
        String id = create(onA, "across");
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        assertThat(onA.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);

        assertThat(onB.get("/v2/images?name=across").json().get("images")).extracting(i -> i.get("id").asText()).containsExactly(id);
        assertThat(onB.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
        assertThat(onA.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/visibility", "value", "shared")),
                "Content-Type", "application/openstack-images-v2.1-json-patch").status()).isEqualTo(200);
        assertThat(onB.post("/v2/images/" + id + "/members", obj("member", "other-project")).status()).isEqualTo(200);
        assertThat(onA.get("/v2/images/" + id + "/members").json().get("members"))
                .extracting(m -> m.get("member_id").asText()).containsExactly("other-project");
        assertThat(onB.delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(onA.get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(store.held().apply(id)).as("the data went with the image").isEmpty();
    }

    @Test
    void aTokenIssuedByOneNodeIsValidOnTheOtherAndItsRevocationHoldsThereToo() {
        String token = a.adminToken();
        ApiClient onB = new ApiClient(b.baseUrl(), token);
        assertThat(onB.get("/v2/images").status()).isEqualTo(200);
        assertThat(onB.get("/identity/v3/auth/tokens", "X-Subject-Token", token).status()).isEqualTo(200);
        assertThat(new ApiClient(a.baseUrl(), token).delete("/identity/v3/auth/tokens", "X-Subject-Token", token).status())
                .isEqualTo(204);
        // each node caches a validated token for 10 s (as keystonemiddleware, docs/deployment.md): a revocation
        // through another node holds there within that time
        Poll.until("the revocation through a holds on b", Duration.ofSeconds(30), () -> onB.get("/v2/images").status() == 401);
    }

    @Test
    void dataStagedThroughOneNodeIsImportedThroughAnother() {
        ApiClient onA = a.admin();
        ApiClient onB = b.admin();
        String id = create(onA, "staged");
        byte[] data = new byte[200_000];
        new Random(5).nextBytes(data);
        assertThat(onA.put("/v2/images/" + id + "/stage", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);
        assertThat(onB.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status()).isEqualTo(202);
        Poll.until("the import through b", RECOVERY, () -> status(onA, id).equals("active"));
        assertThat(onA.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
        // the task removes the staged data after the image's last save
        Poll.until("the staged data gone once imported", RECOVERY, () -> files(root.resolve("shared/staging"), id).isEmpty());
    }

    @Test
    void concurrentPatchesThroughDifferentNodesLoseNoUpdate() throws Exception {
        String id = create(a.admin(), "patched");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> replies = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ApiClient api = (i % 2 == 0 ? a : b).admin();
            String key = "k" + i;
            replies.add(pool.submit(() -> api.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/" + key, "value", "v")),
                    "Content-Type", "application/openstack-images-v2.1-json-patch").status()));
        }
        for (Future<Integer> r : replies) {
            assertThat(r.get()).isEqualTo(200);
        }
        pool.shutdown();
        JsonNode image = b.admin().get("/v2/images/" + id).json();
        for (int i = 0; i < 16; i++) {
            assertThat(image.has("k" + i)).as("k" + i).isTrue();
        }
    }

    @Test
    void aNodeKilledMidUploadLeavesTheImageQueuedOnceItsLeaseExpiresAndTheRetryThroughAnotherNodeSucceeds() throws Exception {
        GlintProcess doomed = node("doomed-upload");
        ApiClient onA = a.admin();
        String id = create(onA, "cut");
        byte[] chunk = new byte[1 << 20];
        try (Socket socket = new Socket("127.0.0.1", doomed.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + doomed.adminToken()
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (256L << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Poll.until("the upload through the doomed node is saving", RECOVERY, () -> {
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return status(onA, id).equals("saving") && store.holdsSomething(id);
            });
            doomed.kill();
        } catch (IOException connectionDiedWithTheServer) {
            // the process is gone while we write
        }
        assertThat(status(onA, id)).as("saving until the dead node's lease expires").isIn("saving", "queued");
        Poll.until("the dead node's upload recovered by a live node", RECOVERY, () -> status(onA, id).equals("queued"));
        // what the dead node had written (a partial file, a multipart upload and its parts, segments) is removed by
        // the live node that recovered the upload, without waiting for the dead node's return
        assertThat(Poll.until(RECOVERY, () -> store.held().apply(id), held -> held != null && held.isEmpty()))
                .as("the dead node's unfinished write removed (the store's last listing failure: %s)", lastListingFailure)
                .isEmpty();
        byte[] data = new byte[100_000];
        new Random(9).nextBytes(data);
        assertThat(b.admin().put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(onA.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
        assertThat(store.held().apply(id)).as("the retried upload's data only").hasSize(1);
    }

    @Test
    void anImportTaskWhoseNodeDiedFailsOnceItsLeaseExpiresAndWhatItStagedIsStillImported() throws Exception {
        GlintProcess doomed = node("doomed-import");
        ApiClient onDoomed = doomed.admin();
        String id = create(onDoomed, "import-cut");
        String staged = create(onDoomed, "staged-before-the-crash");
        byte[] stagedData = new byte[70_000];
        new Random(11).nextBytes(stagedData);
        assertThat(onDoomed.put("/v2/images/" + staged + "/stage", stagedData, "Content-Type", "application/octet-stream")
                .status()).isEqualTo(204);
        String uri = "http://127.0.0.1:" + web.getAddress().getPort() + "/stalls.img";
        assertThat(onDoomed.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download", "uri", uri)))
                .status()).isEqualTo(202);
        assertThat(webHalfSent.await(60, TimeUnit.SECONDS)).as("the doomed node is downloading").isTrue();
        doomed.kill();
        ApiClient onB = b.admin();
        Poll.until("the dead node's task failed by a live node", RECOVERY, () -> {
            JsonNode tasks = onB.get("/v2/images/" + id + "/tasks").json().get("tasks");
            return tasks.size() == 1 && tasks.get(0).get("status").asText().equals("failure");
        });
        JsonNode task = onB.get("/v2/images/" + id + "/tasks").json().get("tasks").get(0);
        assertThat(task.get("message").asText()).contains("stopped");
        JsonNode image = onB.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.has("os_glance_import_task")).as("the import lock is released").isFalse();
        byte[] data = new byte[50_000];
        assertThat(onB.put("/v2/images/" + id + "/stage", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);
        assertThat(a.admin().post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status())
                .isEqualTo(202);
        Poll.until("the import again, through a", RECOVERY, () -> status(onB, id).equals("active"));

        // data staged completely through the dead node is in shared staging: no recovery removes it
        assertThat(status(onB, staged)).isEqualTo("uploading");
        assertThat(onB.post("/v2/images/" + staged + "/import", obj("method", obj("name", "glance-direct"))).status())
                .isEqualTo(202);
        Poll.until("the import of what the dead node staged", RECOVERY, () -> status(onB, staged).equals("active"));
        assertThat(onB.get("/v2/images/" + staged + "/file").bytes()).isEqualTo(stagedData);
    }

    /** Files under {@code d} whose name holds {@code id}. */
    private static List<String> files(Path d, String id) {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(f -> f.contains(id)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
