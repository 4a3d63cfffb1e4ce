package glint.api;

import static glint.api.IdentityAdminApiTest.created;
import static glint.api.IdentityAdminApiTest.patch;
import static glint.api.IdentityAdminApiTest.texts;
import static glint.api.IdentityAdminApiTest.unique;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keystone v3's catalog API of the built-in identity (regions, services, endpoints) over real HTTP, and the token
 * catalog built from it; runs on every database kind (migration V7).
 */
class CatalogAdminApiTest {
    private static final String V3 = "/identity/v3";
    private static TestServer server;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String imageServiceId() {
        return admin.get(V3 + "/services?type=image").json().at("/services/0/id").asText();
    }

    /** The catalog of a fresh token of alice in alpha. */
    private static JsonNode aliceCatalog() {
        return new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member")).get(V3 + "/auth/catalog")
                .json().get("catalog");
    }

    private static List<String> imageUrls(JsonNode catalog, String region) {
        List<String> urls = new ArrayList<>();
        for (JsonNode service : catalog) {
            for (JsonNode e : service.get("endpoints")) {
                if (service.get("type").asText().equals("image") && e.get("region_id").asText().equals(region)) {
                    urls.add(e.get("interface").asText() + " " + e.get("url").asText());
                }
            }
        }
        return urls;
    }

    @Test
    void theFirstStartSeedsTodaysCatalog() {
        Reply regions = admin.get(V3 + "/regions");
        assertThat(regions.status()).isEqualTo(200);
        assertThat(texts(regions.json().get("regions"), "/id")).contains("RegionOne");
        JsonNode services = admin.get(V3 + "/services").json().get("services");
        assertThat(texts(services, "/type")).contains("image", "identity");
        JsonNode endpoints = admin.get(V3 + "/endpoints?service_id=" + imageServiceId() + "&region_id=RegionOne")
                .json().get("endpoints");
        assertThat(texts(endpoints, "/interface")).containsExactlyInAnyOrder("public", "internal", "admin");
        assertThat(texts(endpoints, "/url")).containsOnly("$(public_endpoint)s");
        assertThat(endpoints.get(0).get("links").get("self").asText()).startsWith(server.baseUrl() + V3 + "/endpoints/");
        // the token's catalog says where the server is, as before the catalog was in the database
        assertThat(imageUrls(aliceCatalog(), "RegionOne")).contains("public " + server.baseUrl());
    }

    @Test
    void aSecondRegionAndItsImageEndpointReachTheTokenCatalog() {
        String region = unique("Region");
        JsonNode r = created(admin.post(V3 + "/regions", obj("region", obj("id", region, "description", "the other one"))), "region");
        assertThat(r.get("id").asText()).isEqualTo(region);
        assertThat(r.get("description").asText()).isEqualTo("the other one");
        assertThat(r.get("parent_region_id").isNull()).isTrue();
        assertThat(admin.post(V3 + "/regions", obj("region", obj("id", region))).status()).isEqualTo(409);

        JsonNode e = created(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", imageServiceId(),
                "interface", "public", "region_id", region, "url", "http://elsewhere.example:9292"))), "endpoint");
        assertThat(e.get("region").asText()).isEqualTo(region);
        assertThat(e.get("enabled").asBoolean()).isTrue();
        assertThat(imageUrls(aliceCatalog(), region)).containsExactly("public http://elsewhere.example:9292");

        // disabled: out of the catalog, still listed
        String id = e.get("id").asText();
        assertThat(patch(admin, V3 + "/endpoints/" + id, obj("endpoint", obj("enabled", false))).json()
                .at("/endpoint/enabled").asBoolean()).isFalse();
        assertThat(imageUrls(aliceCatalog(), region)).isEmpty();
        assertThat(admin.get(V3 + "/endpoints/" + id).status()).isEqualTo(200);

        assertThat(admin.delete(V3 + "/regions/" + region).status()).isEqualTo(403);
        assertThat(admin.delete(V3 + "/endpoints/" + id).status()).isEqualTo(204);
        assertThat(admin.get(V3 + "/endpoints/" + id).status()).isEqualTo(404);
        assertThat(admin.delete(V3 + "/regions/" + region).status()).isEqualTo(204);
        assertThat(admin.get(V3 + "/regions/" + region).json().at("/error/message").asText())
                .isEqualTo("Could not find region: " + region + ".");
    }

    @Test
    void theDeprecatedRegionOfAnEndpointCreatesItsRegion() {
        // what `openstack endpoint create --region R image public URL` sends
        String region = unique("Legacy");
        JsonNode e = created(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", imageServiceId(),
                "interface", "internal", "region", region, "url", "http://legacy.example", "enabled", true))), "endpoint");
        assertThat(e.get("region_id").asText()).isEqualTo(region);
        assertThat(admin.get(V3 + "/regions/" + region).status()).isEqualTo(200);
        // region_id must exist
        Reply unknown = admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", imageServiceId(),
                "interface", "public", "region_id", unique("Nowhere"), "url", "http://x.example")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().at("/error/message").asText()).startsWith("Expecting to find endpoint region_id in region table.");
    }

    @Test
    void endpointsAreChecked() {
        String service = imageServiceId();
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", "nope", "interface", "public",
                "url", "http://x.example"))).json().at("/error/message").asText())
                .startsWith("Expecting to find endpoint service_id in service table.");
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", service, "interface", "private",
                "url", "http://x.example"))).status()).isEqualTo(400);
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", service, "interface", "public")))
                .json().at("/error/message").asText()).isEqualTo("Invalid input for field 'url': 'url' is a required property");
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", service, "interface", "public",
                "url", "http://x.example/$(domain_id)s"))).json().at("/error/message").asText())
                .isEqualTo("Cannot create an endpoint with an invalid URL: http://x.example/$(domain_id)s.");
        assertThat(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", service, "interface", "public",
                "url", "not a url"))).status()).isEqualTo(400);
    }

    @Test
    void projectSubstitutionsAreFilledInForTheTokensProject() {
        JsonNode s = created(admin.post(V3 + "/services", obj("service", obj("type", "object-store", "name", "swift",
                "description", "objects"))), "service");
        assertThat(s.get("name").asText()).isEqualTo("swift");
        assertThat(s.get("description").asText()).isEqualTo("objects");
        created(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", s.get("id").asText(), "interface", "public",
                "region_id", "RegionOne", "url", "http://swift.example/v1/AUTH_$(project_id)s"))), "endpoint");
        // Swift's install guide writes %(project_id)s, which Keystone formats too
        created(admin.post(V3 + "/endpoints", obj("endpoint", obj("service_id", s.get("id").asText(), "interface", "internal",
                "region_id", "RegionOne", "url", "http://swift.internal/v1/AUTH_%(tenant_id)s"))), "endpoint");
        List<String> urls = new ArrayList<>();
        for (JsonNode service : aliceCatalog()) {
            if (service.get("id").asText().equals(s.get("id").asText())) {
                service.get("endpoints").forEach(e -> urls.add(e.get("url").asText()));
            }
        }
        assertThat(urls).containsExactlyInAnyOrder("http://swift.example/v1/AUTH_" + server.projectId("alpha"),
                "http://swift.internal/v1/AUTH_" + server.projectId("alpha"));

        // a disabled service leaves the catalog; deleting it deletes its endpoints
        patch(admin, V3 + "/services/" + s.get("id").asText(), obj("service", obj("enabled", false)));
        assertThat(texts(aliceCatalog(), "/id")).doesNotContain(s.get("id").asText());
        assertThat(admin.delete(V3 + "/services/" + s.get("id").asText()).status()).isEqualTo(204);
        assertThat(admin.get(V3 + "/endpoints?service_id=" + s.get("id").asText()).json().get("endpoints")).isEmpty();
    }

    @Test
    void regionsFormAHierarchyWithoutCircles() {
        String parent = unique("Parent");
        String child = unique("Child");
        created(admin.put(V3 + "/regions/" + parent, "{\"region\":{\"description\":\"p\"}}".getBytes(),
                "Content-Type", "application/json"), "region");
        assertThat(created(admin.post(V3 + "/regions", obj("region", obj("id", child, "parent_region_id", parent))), "region")
                .get("parent_region_id").asText()).isEqualTo(parent);
        assertThat(admin.post(V3 + "/regions", obj("region", obj("parent_region_id", unique("Missing")))).status()).isEqualTo(404);
        assertThat(texts(admin.get(V3 + "/regions?parent_region_id=" + parent).json().get("regions"), "/id")).containsExactly(child);
        Reply circle = patch(admin, V3 + "/regions/" + parent, obj("region", obj("parent_region_id", child)));
        assertThat(circle.status()).isEqualTo(400);
        assertThat(circle.json().at("/error/message").asText())
                .isEqualTo("The specified parent region " + child + " would create a circular region hierarchy.");
        assertThat(patch(admin, V3 + "/regions/" + child, obj("region", obj("id", "other"))).status()).isEqualTo(400);
        // a region without an id gets one
        assertThat(created(admin.post(V3 + "/regions", obj("region", obj("description", "anonymous"))), "region")
                .get("id").asText()).matches("[0-9a-f]{32}");
        // deleting the parent deletes the child
        assertThat(admin.delete(V3 + "/regions/" + parent).status()).isEqualTo(204);
        assertThat(admin.get(V3 + "/regions/" + child).status()).isEqualTo(404);
    }

    @Test
    void keystonesDefaultPolicies() {
        ApiClient member = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        assertThat(member.get(V3 + "/regions").status()).isEqualTo(200);
        assertThat(member.get(V3 + "/regions/RegionOne").status()).isEqualTo(200);
        assertThat(member.get(V3 + "/services").status()).isEqualTo(403);
        assertThat(member.get(V3 + "/endpoints").status()).isEqualTo(403);
        Reply refused = member.post(V3 + "/regions", obj("region", obj("id", unique("Mine"))));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().at("/error/message").asText())
                .isEqualTo("You are not authorized to perform the requested action: identity:create_region.");
        assertThat(member.delete(V3 + "/endpoints/" + UUID.randomUUID()).status()).isEqualTo(403);
        assertThat(new ApiClient(server.baseUrl(), null).get(V3 + "/regions").status()).isEqualTo(401);
    }

    @Test
    void whatAnAdminDeletedFromTheSeedStaysDeletedAtTheNextStart() {
        try (TestServer fresh = TestServer.start()) {
            ApiClient freshAdmin = new ApiClient(fresh.baseUrl(), fresh.adminToken());
            JsonNode internal = freshAdmin.get(V3 + "/endpoints?interface=internal").json().get("endpoints");
            int before = internal.size();
            String id = internal.get(0).get("id").asText();
            assertThat(freshAdmin.delete(V3 + "/endpoints/" + id).status()).isEqualTo(204);
            try (TestServer peer = fresh.startPeer()) { // starts, and bootstraps, on the same database
                assertThat(new ApiClient(peer.baseUrl(), peer.adminToken()).get(V3 + "/endpoints?interface=internal")
                        .json().get("endpoints")).hasSize(before - 1);
            }
        }
    }
}
