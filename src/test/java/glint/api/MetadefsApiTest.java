package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.testing.ApiClient;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The metadata definitions API, as Glance's metadef controllers and policies behave (glance/api/v2/metadef_*.py). */
class MetadefsApiTest {
    private static TestServer server;
    private static ApiClient admin;
    private static ApiClient alice;
    private static ApiClient bob;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        bob = new ApiClient(server.baseUrl(), server.tokenFor("beta", "bob", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String namespace(Object... extra) {
        String name = unique("ns");
        List<Object> kv = new ArrayList<>(List.of("namespace", name));
        kv.addAll(List.of(extra));
        ApiClient.Reply created = admin.post("/v2/metadefs/namespaces", obj(kv.toArray()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return name;
    }

    private static ApiClient.Reply put(ApiClient c, String path, Object body) {
        try {
            return c.put(path, new ObjectMapper().writeValueAsBytes(body), "Content-Type", "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    @Test
    void schemasAreGlances() {
        Map<String, String> names = Map.of("namespace", "namespace", "namespaces", "namespaces",
                "resource_type", "resource_type_association", "resource_types", "resource_type_associations",
                "object", "object", "objects", "objects", "property", "property", "properties", "properties",
                "tag", "tag", "tags", "tags");
        names.forEach((path, name) -> {
            ApiClient.Reply r = alice.get("/v2/schemas/metadefs/" + path);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("name").asText()).isEqualTo(name);
        });
        JsonNode ns = alice.get("/v2/schemas/metadefs/namespace").json();
        assertThat(ns.get("required").get(0).asText()).isEqualTo("namespace");
        assertThat(ns.get("definitions").has("property")).isTrue();
    }

    @Test
    void seededResourceTypesAreListed() {
        JsonNode types = alice.get("/v2/metadefs/resource_types").json().get("resource_types");
        assertThat(names(types, "name")).contains("OS::Glance::Image", "OS::Nova::Flavor", "OS::Cinder::Volume");
        assertThat(types.get(0).has("created_at")).isTrue();
    }

    @Test
    void createShowUpdateAndDeleteANamespace() {
        String name = unique("ns");
        ApiClient.Reply created = admin.post("/v2/metadefs/namespaces", obj("namespace", name, "display_name", "Disp",
                "description", "Tempest", "visibility", "public", "protected", true,
                "resource_type_associations", List.of(obj("name", "OS::Glance::Image", "prefix", "hw_")),
                "properties", obj("cpu", obj("title", "CPU", "type", "integer", "minimum", 1)),
                "objects", List.of(obj("name", "obj1", "required", List.of("mem"),
                        "properties", obj("mem", obj("title", "Memory", "type", "string")))),
                "tags", List.of(obj("name", "t1"))));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location").orElseThrow()).endsWith("/v2/metadefs/namespaces/" + name);
        JsonNode body = created.json();
        assertThat(body.get("owner").asText()).isEqualTo(server.projectId("admin"));
        assertThat(body.get("self").asText()).isEqualTo("/v2/metadefs/namespaces/" + name);
        assertThat(body.get("schema").asText()).isEqualTo("/v2/schemas/metadefs/namespace");

        assertThat(names(alice.get("/v2/metadefs/namespaces").json().get("namespaces"), "namespace")).contains(name);
        JsonNode shown = alice.get("/v2/metadefs/namespaces/" + name).json();
        assertThat(shown.get("visibility").asText()).isEqualTo("public");
        assertThat(shown.get("protected").asBoolean()).isTrue();
        assertThat(shown.get("properties").get("cpu").get("minimum").asInt()).isEqualTo(1);
        assertThat(shown.get("objects").get(0).get("name").asText()).isEqualTo("obj1");
        assertThat(names(shown.get("tags"), "name")).containsExactly("t1");
        assertThat(shown.get("resource_type_associations").get(0).get("prefix").asText()).isEqualTo("hw_");

        JsonNode prefixed = alice.get("/v2/metadefs/namespaces/" + name + "?resource_type=OS::Glance::Image").json();
        assertThat(prefixed.get("properties").has("hw_cpu")).as("Glance prefixes names for the resource type").isTrue();
        assertThat(prefixed.get("objects").get(0).get("properties").has("hw_mem")).isTrue();
        assertThat(prefixed.get("objects").get(0).get("required").get(0).asText()).isEqualTo("hw_mem");

        ApiClient.Reply refused = admin.delete("/v2/metadefs/namespaces/" + name);
        assertThat(refused.status()).as("a protected namespace is not deleted").isEqualTo(403);
        assertThat(refused.body()).contains("is protected and cannot be deleted");
        assertThat(admin.delete("/v2/metadefs/namespaces/" + name + "/objects").status()).isEqualTo(403);

        ObjectNode roundTrip = (ObjectNode) shown.deepCopy();
        List.of("created_at", "updated_at", "schema", "self").forEach(roundTrip::remove);
        roundTrip.put("display_name", "Again");
        ApiClient.Reply replaced = put(admin, "/v2/metadefs/namespaces/" + name, roundTrip);
        assertThat(replaced.status()).as("glanceclient PUTs back what it got, nested timestamps included: " + replaced.body())
                .isEqualTo(200);
        assertThat(replaced.json().get("display_name").asText()).isEqualTo("Again");

        JsonNode updated = put(admin, "/v2/metadefs/namespaces/" + name, obj("namespace", name, "visibility", "private",
                "protected", false, "description", "Tempest")).json();
        assertThat(updated.get("visibility").asText()).isEqualTo("private");
        assertThat(updated.get("protected").asBoolean()).isFalse();
        assertThat(updated.has("display_name")).as("PUT replaces: absent fields are cleared").isFalse();
        assertThat(alice.get("/v2/metadefs/namespaces/" + name).status()).as("private to another project").isEqualTo(404);

        assertThat(admin.delete("/v2/metadefs/namespaces/" + name).status()).isEqualTo(204);
        assertThat(admin.get("/v2/metadefs/namespaces/" + name).status()).isEqualTo(404);
        assertThat(admin.delete("/v2/metadefs/namespaces/" + name).status()).isEqualTo(404);
    }

    @Test
    void namespaceErrorsAreGlances() {
        String name = namespace();
        ApiClient.Reply dup = admin.post("/v2/metadefs/namespaces", obj("namespace", name));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.body()).contains("The metadata definition namespace=" + name + " already exists.");
        assertThat(admin.post("/v2/metadefs/namespaces", obj("display_name", "x")).status())
                .as("namespace is required").isEqualTo(400);
        assertThat(admin.post("/v2/metadefs/namespaces", obj("namespace", unique("n"), "visibility", "shared")).status())
                .isEqualTo(400);
        assertThat(admin.post("/v2/metadefs/namespaces", obj("namespace", unique("n"), "bogus", 1)).status())
                .isEqualTo(400);
        assertThat(admin.post("/v2/metadefs/namespaces", obj("namespace", unique("n"), "self", "x")).status())
                .as("read-only attribute").isEqualTo(403);
        assertThat(admin.post("/v2/metadefs/namespaces", obj("namespace", "x".repeat(81))).status()).isEqualTo(400);
        assertThat(admin.send("POST", "/v2/metadefs/namespaces", "{".getBytes(), "Content-Type", "application/json")
                .status()).isEqualTo(400);
        for (String notAnObject : List.of("[]", "\"ns\"", "42", "null")) {
            assertThat(admin.send("POST", "/v2/metadefs/namespaces", notAnObject.getBytes(), "Content-Type",
                    "application/json").status()).as("body %s", notAnObject).isEqualTo(400);
        }
        ApiClient.Reply empty = admin.send("POST", "/v2/metadefs/namespaces", null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).contains("Body expected in request.");
        assertThat(alice.post("/v2/metadefs/namespaces", obj("namespace", unique("n"))).status())
                .as("add_metadef_namespace is rule:metadef_admin").isEqualTo(403);
        assertThat(put(alice, "/v2/metadefs/namespaces/" + name, obj("namespace", name)).status())
                .as("a private namespace of another project is not found").isEqualTo(404);
        assertThat(admin.get("/v2/metadefs/namespaces?sort_dir=sideways").status()).isEqualTo(400);
        assertThat(admin.get("/v2/metadefs/namespaces?visibility=shared").status()).isEqualTo(400);
        assertThat(admin.get("/v2/metadefs/namespaces?limit=-1").status()).isEqualTo(400);
        assertThat(admin.get("/v2/metadefs/namespaces?limit=x").status()).isEqualTo(400);
        assertThat(admin.get("/v2/metadefs/namespaces?marker=nope-" + UUID.randomUUID()).status()).isEqualTo(404);

        String other = namespace();
        ApiClient.Reply rename = put(admin, "/v2/metadefs/namespaces/" + other, obj("namespace", name));
        assertThat(rename.status()).isEqualTo(409);
    }

    @Test
    void listFiltersAndPages() {
        String rt = unique("OS::Test::Type");
        String a = namespace("visibility", "public", "resource_type_associations", List.of(obj("name", rt)));
        String b = namespace("visibility", "public", "resource_type_associations", List.of(obj("name", rt)));
        String c = namespace("visibility", "private", "resource_type_associations", List.of(obj("name", rt)));

        JsonNode all = admin.get("/v2/metadefs/namespaces?resource_types=" + rt + "&sort_key=namespace&sort_dir=asc").json();
        assertThat(names(all.get("namespaces"), "namespace")).containsExactlyElementsOf(
                new ArrayList<>(new java.util.TreeSet<>(List.of(a, b, c))));
        assertThat(all.get("namespaces").get(0).get("resource_type_associations").get(0).get("name").asText()).isEqualTo(rt);
        assertThat(names(alice.get("/v2/metadefs/namespaces?resource_types=" + rt).json().get("namespaces"), "namespace"))
                .as("another project sees only public ones").containsExactlyInAnyOrder(a, b);
        assertThat(names(admin.get("/v2/metadefs/namespaces?resource_types=" + rt + "&visibility=private").json()
                .get("namespaces"), "namespace")).containsExactly(c);

        List<String> paged = new ArrayList<>();
        String url = "/v2/metadefs/namespaces?resource_types=" + rt + "&limit=2";
        for (int i = 0; i < 5 && url != null; i++) {
            JsonNode page = admin.get(url).json();
            paged.addAll(names(page.get("namespaces"), "namespace"));
            url = page.has("next") ? page.get("next").asText() : null;
        }
        assertThat(paged).containsExactlyInAnyOrder(a, b, c);
        JsonNode afterPrivate = admin.get("/v2/metadefs/namespaces?resource_types=" + rt
                + "&visibility=public&sort_key=namespace&sort_dir=asc&marker=" + c).json();
        assertThat(names(afterPrivate.get("namespaces"), "namespace")).as("a marker outside the filter still places the page")
                .containsExactlyElementsOf(List.of(a, b).stream().filter(n -> n.compareTo(c) > 0).sorted().toList());
        assertThat(admin.get("/v2/metadefs/namespaces?limit=1").json().get("first").asText())
                .isEqualTo("/v2/metadefs/namespaces?limit=1");
    }

    @Test
    void objects() {
        String ns = namespace();
        String base = "/v2/metadefs/namespaces/" + ns + "/objects";
        ApiClient.Reply created = admin.post(base, obj("name", "o1", "description", "d",
                "properties", obj("p", obj("title", "P", "type", "boolean", "default", true))));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("self").asText()).isEqualTo(base + "/o1");
        assertThat(created.json().get("properties").get("p").get("default").asText())
                .as("WSME keeps default as text").isEqualTo("True");
        assertThat(admin.post(base, obj("name", "o1")).status()).isEqualTo(409);
        assertThat(admin.post(base, obj("description", "no name")).status()).isEqualTo(400);
        assertThat(names(admin.get(base).json().get("objects"), "name")).containsExactly("o1");
        assertThat(admin.get(base + "/o1").json().get("description").asText()).isEqualTo("d");
        assertThat(admin.get(base + "/nope").body()).contains("The metadata definition object with name=nope was not found");

        JsonNode renamed = put(admin, base + "/o1", obj("name", "o2")).json();
        assertThat(renamed.get("name").asText()).isEqualTo("o2");
        assertThat(renamed.get("properties").size()).as("PUT replaces the properties").isZero();
        assertThat(admin.get(base + "/o1").status()).isEqualTo(404);
        assertThat(alice.post(base, obj("name", "x")).status()).as("private namespace of another project").isEqualTo(404);
        assertThat(admin.delete(base + "/o2").status()).isEqualTo(204);
        assertThat(admin.get(base).json().get("objects").size()).isZero();
        assertThat(admin.get("/v2/metadefs/namespaces/nope-" + UUID.randomUUID() + "/objects").status()).isEqualTo(404);

        admin.post(base, obj("name", "o3"));
        assertThat(admin.delete(base).status()).isEqualTo(204);
        assertThat(admin.get(base).json().get("objects").size()).isZero();
    }

    @Test
    void properties() {
        String ns = namespace("visibility", "public");
        String base = "/v2/metadefs/namespaces/" + ns + "/properties";
        List<String> hypervisors = List.of("xen", "qemu", "kvm");
        ApiClient.Reply created = admin.post(base, obj("name", "hv", "title", "Hypervisor", "type", "string",
                "enum", hypervisors));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("title").asText()).isEqualTo("Hypervisor");
        assertThat(alice.get(base + "/hv").json().get("name").asText()).as("public: other projects may read").isEqualTo("hv");
        assertThat(alice.post(base, obj("name", "x", "title", "X", "type", "string")).status())
                .as("but not write").isEqualTo(403);
        assertThat(admin.post(base, obj("name", "hv", "title", "Again", "type", "string")).status()).isEqualTo(409);
        assertThat(admin.post(base, obj("name", "t", "type", "string")).status()).as("title is required").isEqualTo(400);
        assertThat(admin.post(base, obj("name", "t", "title", "T", "type", "text")).status()).isEqualTo(400);
        assertThat(admin.post(base, obj("name", "t", "title", "T", "type", "string", "enum", List.of(1, 2))).status())
                .isEqualTo(400);
        assertThat(admin.send("POST", base, "{\"name\":\"t\",\"title\":\"T\",\"type\":\"integer\",\"minimum\":1e400}"
                .getBytes(), "Content-Type", "application/json").status()).as("no integer, not clamped").isEqualTo(400);

        JsonNode updated = put(admin, base + "/hv", obj("name", "hv", "title", "Renamed", "type", "string",
                "enum", hypervisors)).json();
        assertThat(updated.get("title").asText()).isEqualTo("Renamed");
        JsonNode listed = admin.get(base).json().get("properties");
        assertThat(listed.get("hv").get("title").asText()).isEqualTo("Renamed");
        assertThat(listed.get("hv").has("name")).as("in a list the name is the key").isFalse();

        admin.post("/v2/metadefs/namespaces/" + ns + "/resource_types", obj("name", "OS::Nova::Flavor", "prefix", "hw:"));
        assertThat(admin.get(base + "/hw:hv?resource_type=OS::Nova::Flavor").json().get("title").asText())
                .isEqualTo("Renamed");
        assertThat(admin.get(base + "/hv?resource_type=OS::Nova::Flavor").status()).isEqualTo(404);

        assertThat(admin.delete(base + "/hv").status()).isEqualTo(204);
        assertThat(admin.get(base + "/hv").status()).isEqualTo(404);
        assertThat(admin.get(base).json().get("properties").size()).isZero();
    }

    @Test
    void tags() {
        String ns = namespace();
        String base = "/v2/metadefs/namespaces/" + ns + "/tags";
        ApiClient.Reply many = admin.post(base, obj("tags", List.of(obj("name", "a"), obj("name", "b"))));
        assertThat(many.status()).isEqualTo(201);
        assertThat(names(many.json().get("tags"), "name")).containsExactly("a", "b");
        admin.post(base, obj("tags", List.of(obj("name", "c"))));
        assertThat(names(admin.get(base).json().get("tags"), "name")).as("without X-Openstack-Append they replace")
                .containsExactly("c");
        admin.post(base, obj("tags", List.of(obj("name", "d"))), "X-Openstack-Append", "True");
        assertThat(names(admin.get(base).json().get("tags"), "name")).containsExactlyInAnyOrder("c", "d");
        assertThat(admin.post(base, obj("tags", List.of(obj("name", "e"), obj("name", "e")))).status()).isEqualTo(409);
        assertThat(names(admin.get(base).json().get("tags"), "name")).as("nothing half-written")
                .containsExactlyInAnyOrder("c", "d");

        ApiClient.Reply one = admin.post(base + "/single", null);
        assertThat(one.status()).isEqualTo(201);
        assertThat(one.json().get("name").asText()).isEqualTo("single");
        assertThat(admin.post(base + "/single", null).status()).isEqualTo(409);
        assertThat(admin.post(base + "/" + "x".repeat(81), null).status()).isEqualTo(400);
        assertThat(admin.get(base + "/single").json().get("name").asText()).isEqualTo("single");
        assertThat(put(admin, base + "/single", obj("name", "renamed")).json().get("name").asText()).isEqualTo("renamed");
        assertThat(put(admin, base + "/renamed", obj("name", "c")).status()).isEqualTo(409);
        assertThat(admin.delete(base + "/renamed").status()).isEqualTo(204);
        assertThat(admin.get(base + "/renamed").status()).isEqualTo(404);
        assertThat(admin.delete(base).status()).isEqualTo(204);
        assertThat(admin.get(base).json().get("tags").size()).isZero();
    }

    @Test
    void resourceTypeAssociations() {
        String ns = namespace();
        String base = "/v2/metadefs/namespaces/" + ns + "/resource_types";
        ApiClient.Reply created = admin.post(base, obj("name", "OS::Glance::Image", "prefix", "img_",
                "properties_target", "image"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo("OS::Glance::Image");
        assertThat(admin.post(base, obj("name", "OS::Glance::Image")).status()).isEqualTo(409);
        assertThat(admin.post(base, obj("prefix", "x")).status()).isEqualTo(400);
        assertThat(names(admin.get(base).json().get("resource_type_associations"), "name"))
                .containsExactly("OS::Glance::Image");

        String fresh = unique("OS::New::Type");
        assertThat(admin.post(base, obj("name", fresh)).status()).isEqualTo(201);
        assertThat(names(admin.get("/v2/metadefs/resource_types").json().get("resource_types"), "name"))
                .as("a new resource type is created on first association").contains(fresh);

        assertThat(admin.delete(base + "/OS::Glance::Image").status()).isEqualTo(204);
        assertThat(admin.delete(base + "/OS::Glance::Image").body()).contains("Failed to find resource type");
        assertThat(names(admin.get(base).json().get("resource_type_associations"), "name")).containsExactly(fresh);
    }

    @Test
    void privateNamespacesAreInvisibleToOtherProjects() {
        String mine = namespace("owner", server.projectId("alpha"));
        assertThat(alice.get("/v2/metadefs/namespaces/" + mine).status()).as("the owner project reads it").isEqualTo(200);
        assertThat(alice.get("/v2/metadefs/namespaces/" + mine + "/tags").status()).isEqualTo(200);
        assertThat(bob.get("/v2/metadefs/namespaces/" + mine).status()).isEqualTo(404);
        assertThat(bob.get("/v2/metadefs/namespaces/" + mine + "/properties").status()).isEqualTo(404);
        assertThat(names(bob.get("/v2/metadefs/namespaces").json().get("namespaces"), "namespace")).doesNotContain(mine);
        assertThat(alice.delete("/v2/metadefs/namespaces/" + mine).status())
                .as("members may read their namespace but not delete it").isEqualTo(403);
    }
}
