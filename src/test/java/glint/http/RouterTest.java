package glint.http;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP edge as a client sees it: versions, errors in webob's three formats, 401/404/405, request ids. */
class RouterTest {
    private static TestServer server;
    private static ApiClient anonymous;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        anonymous = new ApiClient(server.baseUrl(), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void rootAnswersTheVersionDocumentWith300AndVersionsWith200() {
        ApiClient.Reply root = anonymous.get("/");
        assertThat(root.status()).isEqualTo(300);
        assertThat(root.json().get("versions").get(0).get("status").asText()).isEqualTo("CURRENT");
        assertThat(root.json().get("versions").get(0).get("links").get(0).get("href").asText())
                .isEqualTo(server.baseUrl() + "/v2/");
        assertThat(anonymous.get("/versions").status()).isEqualTo(200);
    }

    @Test
    void requestWithoutTokenGetsKeystonemiddlewares401() {
        ApiClient.Reply reply = anonymous.get("/v2/images");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("error").get("code").asInt()).isEqualTo(401);
        assertThat(reply.json().get("error").get("message").asText()).isEqualTo("The request you have made requires authentication.");
        assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Keystone uri=\""));
        assertThat(new ApiClient(server.baseUrl(), "bogus").get("/v2/images").status()).isEqualTo(401);
    }

    @Test
    void unknownPathIs404InTheFormatTheClientAccepts() {
        ApiClient.Reply json = anonymous.get("/v2/nothing", "Accept", "application/json");
        assertThat(json.status()).isEqualTo(404);
        assertThat(json.json().get("code").asText()).isEqualTo("404 Not Found");
        assertThat(json.json().get("title").asText()).isEqualTo("Not Found");
        assertThat(json.json().get("message").asText()).startsWith("The resource could not be found.");
        ApiClient.Reply plain = anonymous.get("/v2/nothing", "Accept", "text/plain");
        assertThat(plain.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(plain.body()).startsWith("404 Not Found\n\nThe resource could not be found.");
        ApiClient.Reply html = anonymous.get("/v2/nothing");
        assertThat(html.body()).contains("<title>404 Not Found</title>");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        ApiClient.Reply reply = anonymous.send("DELETE", "/versions", null);
        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("Allow")).contains("GET");
    }

    @Test
    void requestIdIsGeneratedOrKeptAndOverlongOnesAreRefused() {
        assertThat(anonymous.get("/versions").header("x-openstack-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req-"));
        assertThat(anonymous.get("/versions", "X-Openstack-Request-Id", "req-mine").header("x-openstack-request-id")).contains("req-mine");
        assertThat(anonymous.get("/versions", "X-Openstack-Request-Id", "r".repeat(65)).status()).isEqualTo(400);
    }

    @Test
    void versionedPrefixesReachTheV2Routes() {
        assertThat(anonymous.get("/v2.9/images").status()).isEqualTo(401);
        assertThat(anonymous.get("/v2.0/schemas/image").status()).isEqualTo(401);
    }
}
