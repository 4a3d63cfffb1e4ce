package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.TestBytes;
import glint.testing.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Uploads many times bigger than the server's request buffers and upload pipeline, with and without a
 * Content-Length: the stages digest and write Jetty's request buffers in place, so a buffer reused too early would
 * show as a wrong checksum, os_hash_value or downloaded byte.
 */
@DatabaseNeutral
class LargeUploadTest {
    private static final long SIZE = 48L << 20;
    private static TestServer server;
    private static ApiClient alice;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> bodies() {
        Function<Long, BodyPublisher> sized = seed -> BodyPublishers.fromPublisher(
                BodyPublishers.ofInputStream(() -> new TestBytes.Stream(seed, SIZE, 1 << 16)), SIZE);
        Function<Long, BodyPublisher> chunked = seed -> BodyPublishers.ofInputStream(
                () -> new TestBytes.Stream(seed, SIZE, 7919)); // odd read sizes: pieces of every length
        return Stream.of(Arguments.of("Content-Length", 11L, sized), Arguments.of("chunked", 12L, chunked));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void aLargeUploadIsStoredAndHashedExactly(String framing, long seed, Function<Long, BodyPublisher> body) throws Exception {
        String id = alice.post("/v2/images", obj("name", "large", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                .timeout(Duration.ofMinutes(2))
                .header("X-Auth-Token", server.tokenFor("alpha", "alice", "member"))
                .header("Content-Type", "application/octet-stream")
                .PUT(body.apply(seed)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("size").asLong()).isEqualTo(SIZE);
        assertThat(image.get("checksum").asText()).isEqualTo(TestBytes.digest("MD5", seed, SIZE));
        assertThat(image.get("os_hash_value").asText()).isEqualTo(TestBytes.digest("SHA-512", seed, SIZE));

        HttpResponse<InputStream> get = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                .header("X-Auth-Token", server.tokenFor("alpha", "alice", "member")).build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        long received = 0;
        try (InputStream in = get.body()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; received += n) {
                md5.update(buf, 0, n);
            }
        }
        assertThat(received).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(md5.digest())).isEqualTo(TestBytes.digest("MD5", seed, SIZE));
    }
}
