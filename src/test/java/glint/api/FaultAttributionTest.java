package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import glint.http.Router;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.LogCapture;
import glint.testing.Poll;
import glint.testing.RawHttp;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failures say whose fault they are, provoked for real: a blob gone from the store, a store that fails during an
 * upload, a stage or a download, a client that breaks its body. Only the client's failures are 4xx; the server's
 * are logged at ERROR with the request id.
 */
class FaultAttributionTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String INTERNAL = "The server has either erred or is incapable of performing the requested operation.";

    private static TestServer server;
    private static ApiClient alice;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        token = server.tokenFor("alpha", "alice", "member");
        alice = new ApiClient(server.baseUrl(), token);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // --- download ---

    @Test
    void aBlobMissingBehindAnActiveImageIs204AsGlanceAndLoggedAtError() throws Exception {
        String id = activeImage(random(1000));
        Files.delete(images().resolve(id));
        try (LogCapture log = LogCapture.of(Router.class)) {
            Reply reply = alice.get("/v2/images/" + id + "/file", "X-Openstack-Request-Id", "req-missing-blob");
            // glance_store.NotFound → webob HTTPNoContent (image_data.py ResponseSerializer.download)
            assertThat(reply.status()).isEqualTo(204);
            assertThat(reply.bytes()).isEmpty();
            assertThat(reply.header("Content-MD5")).as("no header of the download that did not happen").isEmpty();
            assertThat(reply.header("Content-Type")).isEmpty();
            assertThat(reply.header("x-openstack-request-id")).contains("req-missing-blob");
            assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=0-9").status()).isEqualTo(204);
            assertThat(log.at(Level.ERROR)).anyMatch(m -> m.contains("[req-missing-blob]") && m.contains("NO_DATA")
                    && m.contains(id));
        }
        assertThat(alice.get("/v2/images/" + id).json().get("status").asText()).as("the image itself is unchanged")
                .isEqualTo("active");
    }

    @Test
    void aBlobShorterThanItsImageIs500BeforeAnyByteIsSent() throws Exception {
        String id = activeImage(random(1000));
        truncate(images().resolve(id), 10);
        try (LogCapture log = LogCapture.of(Router.class)) {
            Reply reply = alice.get("/v2/images/" + id + "/file", "Accept", "application/json");
            assertThat(reply.status()).isEqualTo(500);
            assertThat(reply.body()).contains(INTERNAL);
            assertThat(reply.header("Content-MD5")).isEmpty();
            assertThat(log.hasStackTrace(Level.ERROR, "GET /v2/images/" + id + "/file failed")).isTrue();
        }
    }

    @Test
    void aStoreFailureMidDownloadAbortsTheConnectionInsteadOfEndingTheBody() throws Exception {
        // FileStore sends 16 MiB windows; the second cannot be mapped once the file is cut to one window
        int window = 16 << 20;
        String id = activeImage(random(2 * window));
        try (LogCapture log = LogCapture.of(Router.class); RawHttp http = new RawHttp(server.port())) {
            http.head("GET", "/v2/images/" + id + "/file", "X-Auth-Token: " + token);
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(2L * window);
            // the server is still writing the first window (more than the socket buffers hold)
            truncate(images().resolve(id), window);
            long received = http.readBody(2L * window);
            assertThat(received).as("the client sees a body cut short, never a complete one").isLessThan(2L * window);
            assertThat(http.closedByServer()).isTrue();
            assertThat(Poll.until(BOUND, () -> log.hasStackTrace(Level.ERROR, "after the response started"), b -> b)).isTrue();
        }
    }

    // --- upload, and stage (glance-direct), which reads the body as a stream ---

    @Test
    void aStoreFailureDuringUploadIs500AndLeavesTheImageQueuedWithoutData() throws Exception {
        String id = newImage();
        storeFailsAtCommit("/v2/images/" + id + "/file", images(), id);
        assertThat(alice.get("/v2/images/" + id).json().get("size").isNull()).isTrue();
        assertThat(upload(id, random(1000)).status()).as("the image takes data again").isEqualTo(204);
    }

    @Test
    void aStoreFailureDuringStageIs500AndLeavesTheImageQueued() throws Exception {
        String id = newImage();
        storeFailsAtCommit("/v2/images/" + id + "/stage", staging(), id);
    }

    @Test
    void aBrokenChunkedEncodingIs400AndLeavesTheImageQueued() throws Exception {
        String id = newImage();
        brokenChunkedBody("/v2/images/" + id + "/file", images(), id);
    }

    @Test
    void aBrokenChunkedEncodingDuringStageIs400AndLeavesTheImageQueued() throws Exception {
        String id = newImage();
        brokenChunkedBody("/v2/images/" + id + "/stage", staging(), id);
    }

    /**
     * PUTs data to {@code path}; half-way, puts a directory where the store renames the blob to when it commits:
     * rename(2) fails with EISDIR. Expects 500 logged with its stack trace, the image queued and no file left.
     */
    private static void storeFailsAtCommit(String path, Path store, String id) throws Exception {
        byte[] data = random(2_000_000);
        Path inTheWay = store.resolve(id);
        try (LogCapture log = LogCapture.of(Router.class); RawHttp http = new RawHttp(server.port())) {
            http.head("PUT", path, "X-Auth-Token: " + token, "Content-Type: application/octet-stream",
                    "Content-Length: " + data.length);
            http.send(Arrays.copyOf(data, data.length / 2));
            awaitUnderWay(id);
            Files.createDirectories(inTheWay.resolve("in-the-way"));
            http.send(Arrays.copyOfRange(data, data.length / 2, data.length));
            assertThat(http.readHead().status()).as("the store's fault, not the client's").isEqualTo(500);
            assertThat(log.hasStackTrace(Level.ERROR, "PUT " + path + " failed")).isTrue();
        } finally {
            deleteTree(inTheWay);
        }
        assertThat(status(id)).isEqualTo("queued");
        assertThat(filesOf(store, id)).as("no partial file").isEmpty();
    }

    /** PUTs a valid chunk, then a line that is no chunk size: 400 logged at INFO, the image queued, no file left. */
    private static void brokenChunkedBody(String path, Path store, String id) throws Exception {
        try (LogCapture log = LogCapture.of(Router.class); RawHttp http = new RawHttp(server.port())) {
            http.head("PUT", path, "X-Auth-Token: " + token, "Content-Type: application/octet-stream",
                    "Transfer-Encoding: chunked");
            http.send("10\r\n0123456789abcdef\r\n");
            awaitUnderWay(id);
            http.send("not-a-chunk-size\r\n");
            assertThat(http.readHead().status()).isEqualTo(400);
            assertThat(log.at(Level.INFO)).anyMatch(m -> m.contains("PUT " + path) && m.contains("the request body could not be read"));
            assertThat(log.at(Level.ERROR)).noneMatch(m -> m.contains(id));
        }
        assertThat(Poll.until(BOUND, () -> status(id), "queued"::equals)).isEqualTo("queued");
        assertThat(Poll.until(BOUND, () -> filesOf(store, id), List::isEmpty)).isEmpty();
    }

    // --- helpers ---

    private static String newImage() {
        Reply r = alice.post("/v2/images", obj("name", "blame", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static String activeImage(byte[] data) {
        String id = newImage();
        assertThat(upload(id, data).status()).isEqualTo(204);
        return id;
    }

    private static Reply upload(String id, byte[] data) {
        return alice.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
    }

    private static String status(String id) {
        return alice.get("/v2/images/" + id).json().get("status").asText();
    }

    private static Path images() {
        return server.dataDir().resolve("images");
    }

    private static Path staging() {
        return server.dataDir().resolve("staging");
    }

    /** Waits until the image says its data is being received ({@code saving} or {@code uploading}). */
    private static void awaitUnderWay(String id) {
        assertThat(Poll.until(BOUND, () -> status(id), s -> s.equals("saving") || s.equals("uploading"))).isIn("saving", "uploading");
    }

    private static List<Path> filesOf(Path dir, String id) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(id)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
