package glint.auth.keystone;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.KeystoneFixture;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Glint in {@code [identity] mode = keystone} against the real Keystone that ./test starts (skipped without one):
 * tokens are validated by Keystone as keystonemiddleware's auth_token does for Glance.
 */
@DatabaseNeutral
class KeystoneModeTest {
    private static final int TOKEN_CACHE_TIME = 2;
    private static KeystoneFixture keystone;
    private static TestServer server;
    private static String projectA;
    private static ApiClient alice;
    private static ApiClient bob;

    @BeforeAll
    static void start() {
        keystone = KeystoneFixture.fromSystemProperties();
        if (keystone == null) {
            return; // every test is skipped, with the reason (assumePresent)
        }
        server = TestServer.start(keystone.glintConfig(TOKEN_CACHE_TIME));
        projectA = keystone.createProject("glint-a");
        String projectB = keystone.createProject("glint-b");
        alice = new ApiClient(server.baseUrl(), keystone.userToken(projectA, "member"));
        bob = new ApiClient(server.baseUrl(), keystone.userToken(projectB, "member"));
    }

    @BeforeEach
    void needsKeystone() {
        KeystoneFixture.assumePresent(keystone);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String privateImage(ApiClient owner) {
        ApiClient.Reply created = owner.post("/v2/images", obj("name", "ks-private", "visibility", "private",
                "disk_format", "raw", "container_format", "bare"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static List<String> listed(ApiClient c) {
        List<String> ids = new ArrayList<>();
        c.get("/v2/images?limit=1000").json().get("images").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    @Test
    void aProjectTokenIsScopedToItsProject() {
        String id = privateImage(alice);
        ApiClient.Reply shown = alice.get("/v2/images/" + id);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().get("owner").asText()).as("owner is the Keystone project of the token").isEqualTo(projectA);
        assertThat(listed(alice)).contains(id);

        assertThat(bob.get("/v2/images/" + id).status()).as("a member of another project").isEqualTo(404);
        assertThat(listed(bob)).doesNotContain(id);
    }

    @Test
    void theAdminRoleIsAdmin() {
        String id = privateImage(alice);
        ApiClient admin = new ApiClient(server.baseUrl(), keystone.adminToken());
        // Glance: an admin sees (and may change) every project's private images
        assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(listed(admin)).contains(id);
        assertThat(alice.put("/v2/images/" + id + "/file", new byte[] {1, 2, 3}, "Content-Type", "application/octet-stream")
                .status()).isEqualTo(204);
        assertThat(bob.post("/v2/images/" + id + "/actions/deactivate", "").status()).isEqualTo(404);
        assertThat(admin.post("/v2/images/" + id + "/actions/deactivate", "").status()).isEqualTo(204);
        // is_admin: only an admin downloads a deactivated image, not even a member of the owning project
        assertThat(alice.get("/v2/images/" + id + "/file").status()).isEqualTo(403);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void anUnknownTokenIsRefusedAsKeystonemiddlewareDoes() {
        for (String token : List.of("not-a-token", "gAAAAABbogus")) {
            ApiClient.Reply reply = new ApiClient(server.baseUrl(), token).get("/v2/images");
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate")).contains("Keystone uri=\"" + keystone.url + "\"");
            assertThat(reply.json().get("error").get("message").asText())
                    .isEqualTo("The request you have made requires authentication.");
        }
        assertThat(new ApiClient(server.baseUrl(), null).get("/v2/images").status()).isEqualTo(401);
    }

    @Test
    void thereIsNoBuiltInIdentity() {
        assertThat(new ApiClient(server.baseUrl(), null).get("/identity/v3").status()).isEqualTo(404);
        assertThat(server.dataDir().resolve("openrc-admin")).doesNotExist();
    }

    @Test
    void aRevokedTokenIsRefusedOnceItsCacheEntryExpires() throws InterruptedException {
        String token = keystone.userToken(projectA, "member");
        ApiClient carol = new ApiClient(server.baseUrl(), token);
        assertThat(carol.get("/v2/images").status()).isEqualTo(200);
        keystone.revoke(token);
        long deadline = System.nanoTime() + 30_000_000_000L; // token_cache_time is 2 s; generous for a loaded machine
        int status;
        while ((status = carol.get("/v2/images").status()) == 200 && System.nanoTime() < deadline) {
            Thread.sleep(100); // poll interval
        }
        assertThat(status).isEqualTo(401);
    }

    @Test
    void anXServiceTokenMustBeValid() {
        assertThat(alice.get("/v2/images", "X-Service-Token", "not-a-token").status()).isEqualTo(401);
        assertThat(alice.get("/v2/images", "X-Service-Token", keystone.serviceToken()).status()).isEqualTo(200);
    }
}
