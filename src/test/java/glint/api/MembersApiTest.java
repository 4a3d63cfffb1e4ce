package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sharing an image with another project, the way Glance does it. */
class MembersApiTest {
    private static TestServer server;
    private static ApiClient alice;
    private static ApiClient bob;
    private static ApiClient carol;
    private static String beta;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        bob = new ApiClient(server.baseUrl(), server.tokenFor("beta", "bob", "member"));
        carol = new ApiClient(server.baseUrl(), server.tokenFor("gamma", "carol", "member"));
        beta = server.projectId("beta");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String image(String visibility) {
        String id = alice.post("/v2/images", obj("name", "shared-one", "visibility", visibility, "disk_format", "raw",
                "container_format", "bare")).json().get("id").asText();
        alice.put("/v2/images/" + id + "/file", new byte[] {1, 2, 3}, "Content-Type", "application/octet-stream");
        return id;
    }

    private static List<String> listed(ApiClient c, String query) {
        List<String> ids = new ArrayList<>();
        c.get("/v2/images?limit=1000" + query).json().get("images").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    @Test
    void theOwnerSharesAndTheMemberAcceptsSeesAndDownloads() {
        String id = image("shared");
        assertThat(bob.get("/v2/images/" + id).status()).isEqualTo(404);

        ApiClient.Reply added = alice.post("/v2/images/" + id + "/members", obj("member", beta));
        assertThat(added.status()).as("Glance answers 200 to a new member").isEqualTo(200);
        JsonNode member = added.json();
        assertThat(member.get("status").asText()).isEqualTo("pending");
        assertThat(member.get("member_id").asText()).isEqualTo(beta);
        assertThat(member.get("schema").asText()).isEqualTo("/v2/schemas/member");
        assertThat(alice.post("/v2/images/" + id + "/members", obj("member", beta)).status()).isEqualTo(409);

        assertThat(bob.get("/v2/images/" + id).status()).as("a pending member can look").isEqualTo(200);
        assertThat(listed(bob, "")).doesNotContain(id);
        assertThat(listed(bob, "&member_status=pending")).contains(id);
        assertThat(bob.put("/v2/images/" + id + "/members/" + beta, "{\"status\":\"accepted\"}".getBytes(),
                "Content-Type", "application/json").json().get("status").asText()).isEqualTo("accepted");
        assertThat(listed(bob, "")).contains(id);
        assertThat(bob.get("/v2/images/" + id + "/file").bytes()).containsExactly(1, 2, 3);

        assertThat(alice.put("/v2/images/" + id + "/members/" + beta, "{\"status\":\"rejected\"}".getBytes(),
                "Content-Type", "application/json").status()).as("only the member answers").isEqualTo(403);
        assertThat(bob.put("/v2/images/" + id + "/members/" + beta, "{\"status\":\"maybe\"}".getBytes(),
                "Content-Type", "application/json").status()).isEqualTo(400);
        assertThat(bob.post("/v2/images/" + id + "/members", obj("member", "someone")).status())
                .as("members cannot add members").isEqualTo(403);
        assertThat(bob.delete("/v2/images/" + id + "/members/" + beta).status()).isEqualTo(403);

        assertThat(alice.get("/v2/images/" + id + "/members").json().get("members")).hasSize(1);
        assertThat(bob.get("/v2/images/" + id + "/members/" + beta).status()).isEqualTo(200);
        assertThat(carol.get("/v2/images/" + id + "/members").status()).isEqualTo(404);

        assertThat(alice.delete("/v2/images/" + id + "/members/" + beta).status()).isEqualTo(204);
        assertThat(bob.get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(alice.get("/v2/images/" + id + "/members").json().get("members")).isEmpty();
    }

    @Test
    void onlySharedImagesHaveMembers() {
        String id = image("private");
        assertThat(alice.post("/v2/images/" + id + "/members", obj("member", beta)).status()).isEqualTo(403);
        assertThat(alice.get("/v2/images/" + id + "/members").status()).isEqualTo(403);
        assertThat(alice.post("/v2/images/" + image("shared") + "/members", obj("nobody", "x")).status()).isEqualTo(400);
    }

    @Test
    void aMemberSeesOnlyItsOwnMembership() {
        String id = image("shared");
        alice.post("/v2/images/" + id + "/members", obj("member", beta));
        alice.post("/v2/images/" + id + "/members", obj("member", server.projectId("gamma")));
        assertThat(alice.get("/v2/images/" + id + "/members").json().get("members")).hasSize(2);
        JsonNode seenByBob = bob.get("/v2/images/" + id + "/members").json().get("members");
        assertThat(seenByBob).hasSize(1);
        assertThat(seenByBob.get(0).get("member_id").asText()).isEqualTo(beta);
        assertThat(bob.get("/v2/images/" + id + "/members/" + server.projectId("gamma")).status()).isEqualTo(404);
    }
}
