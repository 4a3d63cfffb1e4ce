package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient.Reply;
import glint.testing.ApiClient;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent PATCHes and tag writes to one image: each is read-modify-write, so without the optimistic version
 * check one could overwrite another's change. Every write that answered 2xx must be in the final image. Runs on
 * whichever database the suite runs on (SQLite, PostgreSQL, MariaDB).
 */
class ConcurrentMetadataWritesTest {
    private static final int WRITERS = 8;
    private static TestServer server;
    private static ApiClient alice;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs {@code WRITERS} requests released at once; a 409 (lost the race too often) is retried as a client would. */
    private static void concurrently(IntFunction<Reply> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    go.await();
                    for (int attempt = 0; ; attempt++) {
                        Reply r = request.apply(n);
                        if (r.status() != 409 || attempt == 20) {
                            return r.status();
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<Integer> f : results) {
                assertThat(f.get()).isBetween(200, 204);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String image() {
        Reply r = alice.post("/v2/images", obj("name", "contended", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void concurrentPatchesAddingDistinctPropertiesLoseNone() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = image();
            concurrently(n -> alice.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/prop_" + n, "value", "v" + n))));
            JsonNode image = alice.get("/v2/images/" + id).json();
            for (int n = 0; n < WRITERS; n++) {
                assertThat(image.path("prop_" + n).asText()).as("round %d: prop_%d", round, n).isEqualTo("v" + n);
            }
        }
    }

    @Test
    void concurrentTagsAndPatchesLoseNone() throws Exception {
        String id = image();
        concurrently(n -> n % 2 == 0
                ? alice.put("/v2/images/" + id + "/tags/tag" + n, new byte[0])
                : alice.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/prop_" + n, "value", "v" + n))));
        JsonNode image = alice.get("/v2/images/" + id).json();
        List<String> tags = new ArrayList<>();
        image.get("tags").forEach(t -> tags.add(t.asText()));
        for (int n = 0; n < WRITERS; n++) {
            if (n % 2 == 0) {
                assertThat(tags).contains("tag" + n);
            } else {
                assertThat(image.path("prop_" + n).asText()).isEqualTo("v" + n);
            }
        }
    }

    /**
     * Glance lets the owner change metadata while data is uploading; activation then saves the image as it is at that
     * moment, so a property or tag added mid-upload is still there when the image turns active.
     */
    @Test
    void metadataWrittenDuringAnUploadSurvivesItsActivation() throws Exception {
        String id = image();
        CountDownLatch halfSent = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        byte[] data = glint.testing.TestBytes.bytes(7, 1 << 20);
        java.io.InputStream body = new java.io.InputStream() {
            private int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (pos == data.length / 2) {
                    halfSent.countDown();
                    try {
                        resume.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }
                if (pos == data.length) {
                    return -1;
                }
                int n = Math.min(len, (pos < data.length / 2 ? data.length / 2 : data.length) - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> upload = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                        .header("X-Auth-Token", server.tokenFor("alpha", "alice", "member"))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        try {
            assertThat(halfSent.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // the client has sent half the body and waits; the server turns the image to saving when the request arrives
            Poll.until("image turns saving", java.time.Duration.ofSeconds(30),
                    () -> alice.get("/v2/images/" + id).json().get("status").asText().equals("saving"));
            assertThat(alice.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/during", "value", "upload")))
                    .status()).isEqualTo(200);
            assertThat(alice.put("/v2/images/" + id + "/tags/mid-upload", new byte[0]).status()).isEqualTo(204);
        } finally {
            resume.countDown();
        }
        assertThat(upload.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.path("during").asText()).isEqualTo("upload");
        assertThat(image.get("tags").toString()).contains("mid-upload");
    }
}
