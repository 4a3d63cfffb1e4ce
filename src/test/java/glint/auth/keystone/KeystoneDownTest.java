package glint.auth.keystone;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.TestServer;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** keystonemiddleware answers 503 when Keystone cannot be reached; so does Glint in keystone mode. */
@DatabaseNeutral
class KeystoneDownTest {
    @Test
    void anUnreachableKeystoneIs503() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        try (TestServer server = TestServer.start("[identity]", "mode = keystone", "[keystone_authtoken]",
                "auth_url = " + url, "username = glint", "password = secret", "project_name = service")) {
            ApiClient.Reply reply = new ApiClient(server.baseUrl(), "some-token").get("/v2/images",
                    "Accept", "application/json");
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.body()).contains("The Keystone service is temporarily unavailable.");
            assertThat(new ApiClient(server.baseUrl(), null).get("/versions").status())
                    .as("unauthenticated routes still answer").isEqualTo(200);
        }
    }
}
