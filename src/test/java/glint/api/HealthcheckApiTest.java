package glint.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthcheck} as oslo.middleware answers it in front of Glance: no token needed, {@code OK} or 503 with the
 * reason, an operator draining the node with a file; oslo's detailed answer only for admins.
 */
class HealthcheckApiTest {
    private static Reply get(TestServer server, String... headers) {
        return new ApiClient(server.baseUrl(), null).get("/healthcheck", headers);
    }

    @Test
    void byDefaultOkInPlainTextWithoutAToken() {
        try (TestServer server = TestServer.start()) {
            Reply r = get(server);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("OK");
            assertThat(r.header("Content-Type")).contains("text/plain; charset=UTF-8");
            assertThat(new ApiClient(server.baseUrl(), null).send("HEAD", "/healthcheck", null).status()).isEqualTo(204);
            assertThat(get(server, "Accept", "application/json").body())
                    .isEqualTo("{\n    \"detailed\": false,\n    \"reasons\": [\n        \"OK\"\n    ]\n}");
            assertThat(get(server, "Accept", "text/html").body()).contains("<H2>Result of 1 checks:</H2>").contains("<TD>OK</TD>");
            assertThat(get(server, "Accept", "image/png").body()).as("text/plain when nothing offered is acceptable")
                    .isEqualTo("OK");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Draining {
        TestServer server;
        Path drain;

        @BeforeAll
        void start() throws IOException {
            drain = Files.createTempDirectory("glint-drain-").resolve("healthcheck_disable");
            server = TestServer.start("[healthcheck]", "disable_by_file_path = " + drain, "detailed = true");
        }

        @AfterAll
        void stop() throws IOException {
            server.close();
            Files.delete(drain.getParent());
        }

        @Test
        void aDrainFileMakesIt503DisabledByFileUntilItIsGone() throws IOException {
            Files.createFile(drain);
            try {
                Reply r = get(server);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("DISABLED BY FILE");
                assertThat(r.header("Retry-After")).isEmpty();
                assertThat(new ApiClient(server.baseUrl(), null).send("HEAD", "/healthcheck", null).status()).isEqualTo(503);
                assertThat(new ApiClient(server.baseUrl(), server.adminToken()).get("/v2/images").status())
                        .as("the API itself still serves: the file only tells load balancers to go elsewhere").isEqualTo(200);
            } finally {
                Files.delete(drain);
            }
            assertThat(get(server).status()).isEqualTo(200);
            assertThat(get(server).body()).isEqualTo("OK");
        }

        @Test
        void detailsForAdminsOnlyTheOthersGetThePlainAnswer() {
            JsonNode detailed = new ApiClient(server.baseUrl(), server.adminToken())
                    .get("/healthcheck", "Accept", "application/json").json();
            assertThat(detailed.get("detailed").asBoolean()).isTrue();
            assertThat(detailed.at("/reasons/0/reason").asText()).isEqualTo("OK");
            assertThat(detailed.at("/reasons/0/details").asText()).isEqualTo("Path '" + drain + "' was not found");
            assertThat(detailed.at("/reasons/0/class").asText()).isEqualTo("HealthcheckResult");
            assertThat(detailed.get("threads")).isNotEmpty();
            assertThat(detailed.get("greenthreads")).isEmpty();
            assertThat(detailed.get("python_version").asText()).startsWith("Java ");
            assertThat(detailed.has("now")).isTrue();
            assertThat(detailed.has("platform")).isTrue();
            assertThat(detailed.at("/gc/counts").isArray()).isTrue();

            String plain = "{\n    \"detailed\": false,\n    \"reasons\": [\n        \"OK\"\n    ]\n}";
            String member = server.tokenFor("alpha", "alice", "member");
            assertThat(new ApiClient(server.baseUrl(), member).get("/healthcheck", "Accept", "application/json").body())
                    .isEqualTo(plain);
            assertThat(get(server, "Accept", "application/json").body()).as("anonymous").isEqualTo(plain);
            Reply badToken = new ApiClient(server.baseUrl(), "not-a-token").get("/healthcheck", "Accept", "application/json");
            assertThat(badToken.status()).as("never 401: the healthcheck is before authentication").isEqualTo(200);
            assertThat(badToken.body()).isEqualTo(plain);
            assertThat(new ApiClient(server.baseUrl(), server.adminToken()).get("/healthcheck", "Accept", "text/html").body())
                    .contains("<TD>HealthcheckResult</TD>").contains("thread(s) active");
        }
    }

    @Test
    void glintsOwnBackendsSayWhetherTheDatabaseAndTheStoresWork() throws IOException {
        try (TestServer server = TestServer.start("[healthcheck]", "backends = disable_by_file, database, stores")) {
            Reply r = get(server);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("OK\nOK\nOK");
            Files.delete(server.dataDir().resolve("images"));
            Reply broken = get(server);
            assertThat(broken.status()).isEqualTo(503);
            assertThat(broken.body()).isEqualTo("OK\nOK\nSTORE UNAVAILABLE");
        }
    }

    @Test
    void enableByFilesWaitsForEveryFile(@TempDir Path dir) throws IOException {
        Path marker = dir.resolve("images.marker");
        try (TestServer server = TestServer.start("[healthcheck]", "backends = enable_by_files",
                "enable_by_file_paths = " + marker)) {
            assertThat(get(server).status()).isEqualTo(503);
            assertThat(get(server).body()).isEqualTo("FILE PATH MISSING");
            Files.createFile(marker);
            assertThat(get(server).body()).isEqualTo("OK");
        }
    }

    @Test
    void outsideTheAllowedSourcesOrThroughAProxyThereIsNoHealthcheck() {
        try (TestServer server = TestServer.start("[healthcheck]", "allowed_source_ranges = 10.0.0.0/8, fd00::/8")) {
            assertThat(get(server).status()).isEqualTo(404);
        }
        try (TestServer server = TestServer.start("[healthcheck]", "allowed_source_ranges = 127.0.0.0/8",
                "ignore_proxied_requests = true")) {
            assertThat(get(server).status()).isEqualTo(200);
            assertThat(get(server, "X-Forwarded-For", "203.0.113.9").status()).isEqualTo(404);
        }
    }
}
