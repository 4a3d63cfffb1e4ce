package glint.http;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.sun.net.httpserver.HttpServer;
import glint.image.imports.WebDownloadSource;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.LogCapture;
import glint.testing.Poll;
import glint.testing.TestBytes;
import glint.testing.TestServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request id a client sends (or Glint makes) is answered in {@code x-openstack-request-id}, names every log line
 * of the request and of the import task it starts, and goes on as {@code X-OpenStack-Request-ID} to the services
 * called on the request's behalf: Keystone (here another Glint's built-in identity, whose access log shows what it
 * was sent) and the web servers of web-download.
 */
@DatabaseNeutral
class RequestIdPropagationTest {
    private static final String V3 = "/identity/v3";

    private static String newId() {
        return "req-" + UUID.randomUUID();
    }

    @Test
    void theRequestIdGoesToKeystoneWithTheTokenValidation() {
        try (TestServer keystone = TestServer.start()) {
            keystone.tokenFor("service", "glint-b", "service");
            String token = keystone.tokenFor("alpha", "alice", "member");
            try (TestServer glint = TestServer.start("[identity]", "mode = keystone", "[keystone_authtoken]",
                    "auth_url = " + keystone.baseUrl() + V3, "username = glint-b", "password = glint-b-secret",
                    "project_name = service");
                 LogCapture access = LogCapture.of("glint.access")) {
                String id = newId();
                Reply r = new ApiClient(glint.baseUrl(), token).get("/v2/images", "X-Openstack-Request-ID", id);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-openstack-request-id")).contains(id);
                // access lines are written once each answer has gone: the client may read an answer first
                Poll.until("Keystone's side: the validation came with the request's id", java.time.Duration.ofSeconds(10),
                        () -> access.events().stream().anyMatch(e -> e.getFormattedMessage().startsWith("GET /identity/v3/auth/tokens?nocatalog 200")
                                && id.equals(e.getMDCPropertyMap().get("request_id"))));
                ILoggingEvent line = Poll.until(java.time.Duration.ofSeconds(10), () -> access.events().stream()
                        .filter(e -> e.getFormattedMessage().startsWith("GET /v2/images 200")).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
                assertThat(line.getMDCPropertyMap()).containsEntry("request_id", id).containsKey("user_id")
                        .containsKey("project_id");
                assertThat(line.getKeyValuePairs()).extracting(kv -> kv.key)
                        .containsExactly("method", "path", "route", "status", "duration_ms");
            }
        }
    }

    @Test
    void theRequestIdGoesToTheWebServerOfAWebDownloadAndNamesTheTasksLogLines() throws Exception {
        byte[] data = TestBytes.bytes(4, 10_000);
        CompletableFuture<String> sent = new CompletableFuture<>();
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/image.img", ex -> {
            sent.complete(String.valueOf(ex.getRequestHeaders().getFirst("X-OpenStack-Request-ID")));
            ex.sendResponseHeaders(200, data.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(data);
            }
        });
        web.start();
        try (TestServer server = TestServer.start("[import_filtering_opts]", "allowed_hosts = [127.0.0.1]",
                "allowed_ports = [" + web.getAddress().getPort() + "]");
             LogCapture task = LogCapture.of(WebDownloadSource.class)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String image = admin.post("/v2/images", obj("name", "w", "disk_format", "raw", "container_format", "bare"))
                    .json().get("id").asText();
            String id = newId();
            Reply r = admin.post("/v2/images/" + image + "/import", obj("method", obj("name", "web-download",
                    "uri", "http://127.0.0.1:" + web.getAddress().getPort() + "/image.img")), "X-Openstack-Request-ID", id);
            assertThat(r.status()).as(r.body()).isEqualTo(202);
            assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(id);
            String status = Poll.until(Duration.ofSeconds(30), () -> admin.get("/v2/images/" + image).json()
                    .get("status").asText(), s -> s.equals("active"));
            assertThat(status).isEqualTo("active");
            assertThat(task.events()).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("request_id", id));
        } finally {
            web.stop(0);
        }
    }
}
