package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two Glint nodes on one database: one deployment, one identity. */
class MultiNodeIdentityTest {
    private static final String TOKENS = "/identity/v3/auth/tokens";
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start();
        b = a.startPeer();
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    @Test
    void bothNodesShareOneBootstrap() {
        String adminOnA = a.app().identity().userByName("default", "admin").orElseThrow().id();
        String adminOnB = b.app().identity().userByName("default", "admin").orElseThrow().id();
        assertThat(adminOnB).isEqualTo(adminOnA);
        assertThat(b.projectId("admin")).isEqualTo(a.projectId("admin"));
    }

    @Test
    void eachNodeAcceptsTheOthersTokens() {
        String fromA = a.tokenFor("alpha", "alice", "member");
        String fromB = b.tokenFor("alpha", "alice", "member");
        assertThat(new ApiClient(b.baseUrl(), fromA).get("/v2/images").status()).isEqualTo(200);
        assertThat(new ApiClient(a.baseUrl(), fromB).get("/v2/images").status()).isEqualTo(200);
        Reply validated = new ApiClient(b.baseUrl(), fromB).get(TOKENS, "X-Subject-Token", fromA);
        assertThat(validated.status()).isEqualTo(200);
        assertThat(validated.json().at("/token/project/name").asText()).isEqualTo("alpha");
        Reply rescoped = new ApiClient(b.baseUrl(), null).post(TOKENS, obj("auth", obj("identity",
                obj("methods", List.of("token"), "token", obj("id", fromA)))));
        assertThat(rescoped.status()).isEqualTo(201);
    }

    @Test
    void aRevocationOnOneNodeHoldsOnTheOther() {
        String token = a.tokenFor("alpha", "alice", "member");
        assertThat(new ApiClient(a.baseUrl(), token).delete(TOKENS, "X-Subject-Token", token).status()).isEqualTo(204);
        assertThat(new ApiClient(b.baseUrl(), b.adminToken()).get(TOKENS, "X-Subject-Token", token).status()).isEqualTo(404);
        assertThat(new ApiClient(b.baseUrl(), token).get("/v2/images").status()).isEqualTo(401);

        String other = b.tokenFor("alpha", "alice", "member");
        assertThat(new ApiClient(b.baseUrl(), other).delete(TOKENS, "X-Subject-Token", other).status()).isEqualTo(204);
        assertThat(new ApiClient(a.baseUrl(), other).get("/v2/images").status()).isEqualTo(401);
        assertThat(new ApiClient(a.baseUrl(), a.adminToken()).send("HEAD", TOKENS, null, "X-Subject-Token", other).status())
                .isEqualTo(404);
    }

    @Test
    void projectsAndRolesMadeOnOneNodeAreSeenByTheOther() {
        String token = a.tokenFor("gamma", "gina", "reader");
        Reply r = new ApiClient(b.baseUrl(), token).get(TOKENS, "X-Subject-Token", token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/token/roles/0/name").asText()).isEqualTo("reader");
        assertThat(r.json().at("/token/project/id").asText()).isEqualTo(b.projectId("gamma"));
    }
}
