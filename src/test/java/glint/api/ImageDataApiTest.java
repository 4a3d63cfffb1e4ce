package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient.Reply;
import glint.testing.ApiClient;
import glint.testing.Poll;
import glint.testing.RawHttp;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upload and download of image data over real HTTP, as Glance answers them. */
class ImageDataApiTest {
    private static TestServer server;
    private static ApiClient alice;
    private static ApiClient bob;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.start("image_size_cap = 3000000");
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        bob = new ApiClient(server.baseUrl(), server.tokenFor("beta", "bob", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newImage(ApiClient client) {
        Reply r = client.post("/v2/images", obj("name", "data", "disk_format", "raw", "container_format", "bare", "visibility", "community"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    private static Reply upload(ApiClient client, String id, byte[] data) {
        return client.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
    }

    @Test
    void uploadActivatesWithSizeAndHashesAndDownloadReturnsTheSameBytes() throws Exception {
        String id = newImage(alice);
        byte[] data = random(2_500_000);
        assertThat(upload(alice, id, data).status()).isEqualTo(204);
        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("size").asLong()).isEqualTo(data.length);
        assertThat(image.get("checksum").asText()).isEqualTo(hex("MD5", data));
        assertThat(image.get("os_hash_algo").asText()).isEqualTo("sha512");
        assertThat(image.get("os_hash_value").asText()).isEqualTo(hex("SHA-512", data));

        Reply download = bob.get("/v2/images/" + id + "/file");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.bytes()).isEqualTo(data);
        assertThat(download.header("Content-MD5")).contains(hex("MD5", data));
        assertThat(download.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/octet-stream"));

        // a small body: the server answers 409 without reading it, and a big one would meet a closed connection
        assertThat(upload(alice, id, new byte[10]).status()).as("active images take no more data").isEqualTo(409);
    }

    @Test
    void singleRangesAreServedAsGlanceDoes() {
        String id = newImage(alice);
        byte[] data = random(1000);
        upload(alice, id, data);
        Reply r = alice.get("/v2/images/" + id + "/file", "Range", "bytes=10-19");
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Range")).contains("bytes 10-19/1000");
        assertThat(r.bytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 20));
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=-5").bytes())
                .isEqualTo(java.util.Arrays.copyOfRange(data, 995, 1000));
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=990-").bytes()).hasSize(10);
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=990-5000").bytes()).hasSize(10);
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=1000-").status()).isEqualTo(416);
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=5-2").status()).isEqualTo(416);
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "pages=1-2").status()).isEqualTo(416);
        assertThat(alice.get("/v2/images/" + id + "/file", "Range", "bytes=1-2,4-5").status()).isEqualTo(400);
    }

    @Test
    void imageWithoutDataDownloadsAs204() {
        assertThat(alice.get("/v2/images/" + newImage(alice) + "/file").status()).isEqualTo(204);
    }

    @Test
    void uploadPreconditionsAreGlances() {
        String id = newImage(alice);
        assertThat(alice.put("/v2/images/" + id + "/file", new byte[10], "Content-Type", "application/json").status()).isEqualTo(415);
        assertThat(bob.put("/v2/images/" + id + "/file", new byte[10], "Content-Type", "application/octet-stream").status())
                .as("someone else's image").isEqualTo(403);
        String noFormats = alice.post("/v2/images", obj("name", "nf")).json().get("id").asText();
        assertThat(upload(alice, noFormats, new byte[10]).status()).isEqualTo(400);
        assertThat(alice.get("/v2/images/" + noFormats).json().get("status").asText()).isEqualTo("queued");
        assertThat(upload(alice, "00000000-0000-0000-0000-000000000000", new byte[10]).status()).isEqualTo(404);
        assertThat(alice.put("/v2/images/" + id + "/file", new byte[10], "Content-Type", "application/octet-stream",
                "x-openstack-image-size", "11").status()).as("announced size differs").isEqualTo(400);
        assertThat(alice.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
    }

    @Test
    void aClientThatSendsItsWholeBodyBeforeReadingGetsAnEarlyRefusalAndKeepsItsConnection() throws Exception {
        // as Python's http.client (the OpenStack clients) and the JDK's client do: the 404 is decided before a byte
        // of the body is read; the server reads and drops the rest, where closing on unread data reset the
        // connection under the client's last writes and lost the answer
        byte[] body = new byte[8 << 20];
        try (RawHttp http = new RawHttp(server.port())) {
            http.head("PUT", "/v2/images/00000000-0000-0000-0000-000000000000/file", "X-Auth-Token: " + server.adminToken(),
                    "Content-Type: application/octet-stream", "Content-Length: " + body.length).send(body);
            RawHttp.Head refused = http.readHead();
            assertThat(refused.status()).as(refused.headers().toString()).isEqualTo(404);
            http.readBody(refused.contentLength());
            http.head("GET", "/versions");
            assertThat(http.readHead().status()).as("the next request on the same connection").isEqualTo(200);
        }
    }

    @Test
    void tooLargeUploadsAre413AndLeaveNothingBehind() throws Exception {
        String id = newImage(alice);
        assertThat(upload(alice, id, random(3_000_001)).status()).isEqualTo(413);
        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(storedFiles()).noneMatch(p -> p.getFileName().toString().startsWith(id));
        assertThat(upload(alice, id, random(100)).status()).as("the image takes data again").isEqualTo(204);
    }

    @Test
    void aClientThatDisconnectsMidUploadLeavesTheImageQueuedWithoutData() throws Exception {
        String id = newImage(alice);
        String token = server.tokenFor("alpha", "alice", "member");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + token
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 2000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(random(500_000));
            out.flush();
            // only once the server has taken the upload in hand does the disconnect test anything
            assertThat(pollStatus(id, "saving")).isEqualTo("saving");
        }
        // The server notices the closed connection when it next reads; poll the observable state with a deadline.
        assertThat(pollStatus(id, "queued")).isEqualTo("queued");
        assertThat(Poll.until(java.time.Duration.ofSeconds(10), ImageDataApiTest::storedFilesUnchecked,
                files -> files.stream().noneMatch(p -> p.getFileName().toString().contains(id))))
                .noneMatch(p -> p.getFileName().toString().contains(id));
    }

    private static String pollStatus(String id, String wanted) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String status;
        do {
            status = alice.get("/v2/images/" + id).json().get("status").asText();
        } while (!status.equals(wanted) && System.nanoTime() < deadline);
        return status;
    }

    @Test
    void deactivatedImagesAreDownloadableByAdminsOnly() {
        String id = newImage(alice);
        upload(alice, id, random(100));
        assertThat(alice.post("/v2/images/" + id + "/actions/deactivate", "").status()).isEqualTo(204);
        assertThat(alice.post("/v2/images/" + id + "/actions/deactivate", "").status()).as("idempotent").isEqualTo(204);
        assertThat(alice.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("deactivated");
        assertThat(bob.get("/v2/images/" + id + "/file").status()).isEqualTo(403);
        assertThat(admin.get("/v2/images/" + id + "/file").status()).isEqualTo(200);
        assertThat(alice.post("/v2/images/" + id + "/actions/reactivate", "").status()).isEqualTo(204);
        assertThat(bob.get("/v2/images/" + id + "/file").status()).isEqualTo(200);
    }

    @Test
    void deletingAnImageRemovesItsData() throws Exception {
        String id = newImage(alice);
        upload(alice, id, random(1000));
        assertThat(storedFiles()).anyMatch(p -> p.getFileName().toString().startsWith(id));
        assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(storedFiles()).noneMatch(p -> p.getFileName().toString().startsWith(id));
        assertThat(alice.get("/v2/images/" + id + "/file").status()).isEqualTo(404);
    }

    @Test
    void chunkedUploadsWork() throws Exception {
        String id = newImage(alice);
        byte[] data = random(1_234_567);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                .header("X-Auth-Token", server.tokenFor("alpha", "alice", "member"))
                .header("Content-Type", "application/octet-stream")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data)))
                .build();
        int status = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).isEqualTo(204);
        assertThat(alice.get("/v2/images/" + id).json().get("size").asLong()).isEqualTo(data.length);
        assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
    }

    private static java.util.List<Path> storedFilesUnchecked() {
        try {
            return storedFiles();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static java.util.List<Path> storedFiles() throws IOException {
        try (Stream<Path> files = Files.list(server.dataDir().resolve("images"))) {
            return files.toList();
        }
    }

    @SuppressWarnings("unused")
    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }
}
