package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Image records over real HTTP, as Glance answers them. */
class ImagesApiTest {
    private static TestServer server;
    private static ApiClient admin;
    private static ApiClient alice;
    private static ApiClient bob;
    private static ApiClient aliceReader;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        aliceReader = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "carol", "reader"));
        bob = new ApiClient(server.baseUrl(), server.tokenFor("beta", "bob", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode create(ApiClient client, Map<String, Object> body) {
        Reply r = client.post("/v2/images", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void createReturnsGlancesImageDocument() {
        Reply r = alice.post("/v2/images", obj("name", "cirros", "disk_format", "qcow2", "container_format", "bare",
                "tags", List.of("a", "b", "a"), "os_distro", "cirros", "min_ram", 64));
        assertThat(r.status()).isEqualTo(201);
        JsonNode image = r.json();
        String id = image.get("id").asText();
        assertThat(r.header("Location")).contains("/v2/images/" + id);
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("visibility").asText()).isEqualTo("shared");
        assertThat(image.get("protected").asBoolean()).isFalse();
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(image.get("checksum").isNull()).isTrue();
        assertThat(image.get("min_ram").asInt()).isEqualTo(64);
        assertThat(image.get("os_distro").asText()).isEqualTo("cirros");
        assertThat(image.get("self").asText()).isEqualTo("/v2/images/" + id);
        assertThat(image.get("file").asText()).isEqualTo("/v2/images/" + id + "/file");
        assertThat(image.get("schema").asText()).isEqualTo("/v2/schemas/image");
        assertThat(image.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(image.get("tags")).hasSize(2);
        assertThat(image.get("owner").asText()).isNotBlank();
        assertThat(alice.get("/v2/images/" + id).json()).isEqualTo(image);
    }

    @Test
    void createWithAnExplicitIdTwiceIsAConflict() {
        String id = "1f1b1a8e-62e6-4bd5-9d1b-1c2f3b4a5d6e";
        assertThat(alice.post("/v2/images", obj("id", id)).status()).isEqualTo(201);
        assertThat(alice.post("/v2/images", obj("id", id)).status()).isEqualTo(409);
        assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(alice.post("/v2/images", obj("id", id)).status()).as("ids of deleted images stay taken").isEqualTo(409);
    }

    @Test
    void badCreateBodiesAre4xxNever500() {
        assertThat(alice.post("/v2/images", "{not json").status()).isEqualTo(400);
        assertThat(alice.post("/v2/images", "").status()).isEqualTo(400);
        assertThat(alice.post("/v2/images", obj("status", "active")).status()).isEqualTo(403);
        assertThat(alice.post("/v2/images", obj("size", 5)).status()).isEqualTo(403);
        assertThat(alice.post("/v2/images", obj("os_glance_x", "y")).status()).isEqualTo(403);
        assertThat(alice.post("/v2/images", obj("visibility", "public")).status()).as("publicize needs admin").isEqualTo(403);
        assertThat(alice.post("/v2/images", obj("owner", "someone-else")).status()).isEqualTo(403);
        assertThat(alice.post("/v2/images", obj("disk_format", "floppy")).status()).isEqualTo(400);
        assertThat(alice.post("/v2/images", obj("min_disk", -1)).status()).isEqualTo(400);
        assertThat(alice.post("/v2/images", obj("id", "nope")).status()).isEqualTo(400);
        assertThat(aliceReader.post("/v2/images", obj("name", "r")).status()).as("readers cannot create").isEqualTo(403);
        assertThat(admin.post("/v2/images", obj("visibility", "public")).status()).isEqualTo(201);
    }

    @Test
    void patchAddsReplacesAndRemovesWithGlancesErrors() {
        String id = create(alice, obj("name", "p", "k1", "v1")).get("id").asText();
        String path = "/v2/images/" + id;
        Reply r = alice.patch(path, List.of(
                obj("op", "replace", "path", "/name", "value", "renamed"),
                obj("op", "add", "path", "/k2", "value", "v2"),
                obj("op", "add", "path", "/k1", "value", "v1b"),
                obj("op", "replace", "path", "/tags", "value", List.of("x", "y")),
                obj("op", "replace", "path", "/min_disk", "value", 3)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("name").asText()).isEqualTo("renamed");
        assertThat(r.json().get("k1").asText()).isEqualTo("v1b");
        assertThat(r.json().get("k2").asText()).isEqualTo("v2");
        assertThat(r.json().get("min_disk").asInt()).isEqualTo(3);
        assertThat(alice.patch(path, List.of(obj("op", "remove", "path", "/k2"))).json().has("k2")).isFalse();

        assertThat(alice.patch(path, List.of(obj("op", "remove", "path", "/k2"))).status()).isEqualTo(409);
        assertThat(alice.patch(path, List.of(obj("op", "replace", "path", "/nope", "value", "v"))).status()).isEqualTo(409);
        assertThat(alice.patch(path, List.of(obj("op", "remove", "path", "/name"))).status()).isEqualTo(403);
        assertThat(alice.patch(path, List.of(obj("op", "replace", "path", "/status", "value", "active"))).status()).isEqualTo(403);
        assertThat(alice.patch(path, List.of(obj("op", "replace", "path", "/owner", "value", "x"))).status()).isEqualTo(403);
        assertThat(alice.patch(path, List.of(obj("op", "replace", "path", "/visibility", "value", "public"))).status()).isEqualTo(403);
        assertThat(alice.patch(path, List.of(obj("op", "replace", "path", "/visibility", "value", "community"))).status()).isEqualTo(200);
        assertThat(alice.patch(path, "[{\"op\":").status()).isEqualTo(400);
        Reply wrongType = alice.patch(path, List.of(), "Content-Type", "application/json");
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.header("Accept-Patch")).hasValueSatisfying(v -> assertThat(v).contains("openstack-images-v2.1-json-patch"));
        Reply draft4 = alice.patch(path, List.of(obj("add", "/k3", "value", "v")), "Content-Type", "application/openstack-images-v2.0-json-patch");
        assertThat(draft4.status()).isEqualTo(200);
        assertThat(alice.patch(path, List.of(obj("add", "/k3", "value", "v")), "Content-Type", "application/openstack-images-v2.0-json-patch")
                .status()).as("draft 4 add on an existing property").isEqualTo(409);
    }

    @Test
    void othersCannotSeePrivateImagesAnd404IsTheAnswerNot403() {
        String id = create(alice, obj("name", "secret", "visibility", "private")).get("id").asText();
        assertThat(bob.get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(bob.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/name", "value", "x"))).status()).isEqualTo(404);
        assertThat(bob.delete("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(ids(bob, "/v2/images")).doesNotContain(id);
        assertThat(ids(admin, "/v2/images")).contains(id);
        assertThat(aliceReader.get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(aliceReader.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/name", "value", "x"))).status())
                .as("a reader sees but may not modify").isEqualTo(403);
        String pub = create(admin, obj("name", "pub", "visibility", "public")).get("id").asText();
        assertThat(bob.get("/v2/images/" + pub).status()).isEqualTo(200);
        assertThat(bob.patch("/v2/images/" + pub, List.of(obj("op", "replace", "path", "/name", "value", "x"))).status()).isEqualTo(403);
    }

    @Test
    void protectedImagesCannotBeDeleted() {
        String id = create(alice, obj("name", "keep", "protected", true)).get("id").asText();
        assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(403);
        alice.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/protected", "value", false)));
        assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(alice.get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(alice.delete("/v2/images/" + id).status()).isEqualTo(404);
    }

    @Test
    void tagsAreIdempotentAndCounted() {
        String id = create(alice, obj("name", "tagged")).get("id").asText();
        assertThat(alice.put("/v2/images/" + id + "/tags/blue", null).status()).isEqualTo(204);
        assertThat(alice.put("/v2/images/" + id + "/tags/blue", null).status()).isEqualTo(204);
        assertThat(alice.get("/v2/images/" + id).json().get("tags")).hasSize(1);
        assertThat(alice.delete("/v2/images/" + id + "/tags/blue").status()).isEqualTo(204);
        assertThat(alice.delete("/v2/images/" + id + "/tags/blue").status()).isEqualTo(404);
        assertThat(alice.put("/v2/images/" + id + "/tags/" + "t".repeat(256), null).status()).isEqualTo(400);
    }

    @Test
    void listFiltersSortsAndPagesThroughNextLinks() {
        String marker = "list-" + System.nanoTime();
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            created.add(create(alice, obj("name", marker + "-" + (i % 4), "disk_format", i % 2 == 0 ? "raw" : "qcow2",
                    "container_format", "bare", "tags", List.of(marker), "batch", marker)).get("id").asText());
        }
        List<String> paged = new ArrayList<>();
        String next = "/v2/images?limit=5&batch=" + marker;
        int pages = 0;
        while (next != null) {
            JsonNode page = alice.get(next).json();
            page.get("images").forEach(i -> paged.add(i.get("id").asText()));
            next = page.has("next") ? page.get("next").asText() : null;
            pages++;
        }
        assertThat(pages).isEqualTo(5);
        assertThat(paged).hasSize(23).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
        assertThat(ids(alice, "/v2/images?tag=" + marker + "&disk_format=raw&limit=100")).hasSize(12);
        assertThat(ids(alice, "/v2/images?name=in:" + marker + "-1," + marker + "-2&limit=100")).hasSize(12);
        List<String> byName = names(alice, "/v2/images?batch=" + marker + "&sort=name:asc&limit=100");
        assertThat(byName).isSorted();
        JsonNode body = alice.get("/v2/images?batch=" + marker + "&limit=1").json();
        assertThat(body.get("schema").asText()).isEqualTo("/v2/schemas/images");
        assertThat(body.get("first").asText()).startsWith("/v2/images?");
        assertThat(alice.get("/v2/images?limit=abc").status()).isEqualTo(400);
        assertThat(alice.get("/v2/images?marker=00000000-0000-0000-0000-000000000000").status()).isEqualTo(400);
        assertThat(alice.get("/v2/images?sort_key=bogus").status()).isEqualTo(400);
    }

    @Test
    void trailingSlashesAre404AsInGlanceAndNeverDelete() {
        String id = create(alice, obj("name", "slash")).get("id").asText();
        assertThat(alice.get("/v2/images/").status()).isEqualTo(404);
        assertThat(alice.get("/v2/images/" + id + "/").status()).isEqualTo(404);
        assertThat(alice.delete("/v2/images/" + id + "/").status()).isEqualTo(404);
        assertThat(alice.get("/v2/images/" + id).status()).isEqualTo(200);
    }

    @Test
    void sizeIsAnExactFilter() {
        String id = create(alice, obj("name", "sized", "disk_format", "raw", "container_format", "bare")).get("id").asText();
        alice.put("/v2/images/" + id + "/file", new byte[3163], "Content-Type", "application/octet-stream");
        assertThat(ids(alice, "/v2/images?size=3163&limit=1000")).contains(id);
        assertThat(ids(alice, "/v2/images?size=3164&limit=1000")).doesNotContain(id);
        assertThat(alice.get("/v2/images?size=big").status()).isEqualTo(400);
    }

    @Test
    void hiddenImagesOnlyShowWhenAskedFor() {
        String id = create(alice, obj("name", "hidden", "os_hidden", true)).get("id").asText();
        assertThat(ids(alice, "/v2/images?limit=1000")).doesNotContain(id);
        assertThat(ids(alice, "/v2/images?os_hidden=true&limit=1000")).contains(id);
    }

    @Test
    void deactivateAndReactivate() {
        String id = create(alice, obj("name", "queued-one")).get("id").asText();
        assertThat(alice.post("/v2/images/" + id + "/actions/deactivate", "").status())
                .as("only active images can be deactivated").isEqualTo(403);
        assertThat(bob.post("/v2/images/" + id + "/actions/deactivate", "").status()).isEqualTo(404);
    }

    @Test
    void schemasAreServed() {
        JsonNode image = alice.get("/v2/schemas/image").json();
        assertThat(image.get("name").asText()).isEqualTo("image");
        assertThat(image.get("additionalProperties").get("type").asText()).isEqualTo("string");
        assertThat(image.get("properties").get("disk_format").get("enum").toString()).contains("qcow2").contains("null");
        assertThat(alice.get("/v2/schemas/images").json().get("properties").has("images")).isTrue();
        assertThat(alice.get("/v2/schemas/member").json().get("properties").get("status").get("enum")).hasSize(3);
        assertThat(alice.get("/v2/schemas/members").json().get("name").asText()).isEqualTo("members");
    }

    private static List<String> ids(ApiClient client, String path) {
        List<String> ids = new ArrayList<>();
        client.get(path).json().get("images").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    private static List<String> names(ApiClient client, String path) {
        List<String> names = new ArrayList<>();
        client.get(path).json().get("images").forEach(i -> names.add(i.get("name").asText()));
        return names;
    }
}
