package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in identity's unified limits API over HTTP, on the database under test, against Keystone's rules and
 * answers (keystone/api/registered_limits.py, limits.py, keystone/limit/core.py and backends/sql.py): what
 * oslo.limit and {@code openstack registered limit …} / {@code openstack limit …} call.
 */
class LimitsApiTest {
    private static final String V3 = "/identity/v3";

    @Test
    void registeredLimitsAndLimitsFollowKeystonesRules() {
        try (TestServer server = TestServer.start()) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            ApiClient alice = new ApiClient(server.baseUrl(), server.tokenFor("p", "alice", "member"));
            String service = QuotaApiTest.imageService(admin);
            String project = server.projectId("p");

            Reply created = admin.post(V3 + "/registered_limits", obj("registered_limits", List.of(
                    obj("service_id", service, "region_id", "RegionOne", "resource_name", "image_size_total",
                            "default_limit", 10, "description", "MiB"),
                    obj("service_id", service, "resource_name", "image_size_total", "default_limit", -1))));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            JsonNode regional = created.json().at("/registered_limits/0");
            assertThat(regional.get("region_id").asText()).isEqualTo("RegionOne");
            assertThat(regional.get("default_limit").asLong()).isEqualTo(10);
            assertThat(regional.at("/links/self").asText()).endsWith(V3 + "/registered_limits/" + regional.get("id").asText());
            assertThat(created.json().at("/registered_limits/1/region_id").isNull()).isTrue();
            String registeredId = regional.get("id").asText();

            // duplicates (service, region, resource), unknown services and regions, bad values; members may not write
            Reply duplicate = admin.post(V3 + "/registered_limits", obj("registered_limits", List.of(obj("service_id",
                    service, "region_id", "RegionOne", "resource_name", "image_size_total", "default_limit", 1))));
            assertThat(duplicate.status()).isEqualTo(409);
            assertThat(admin.post(V3 + "/registered_limits", obj("registered_limits", List.of(obj("service_id", "nope",
                    "resource_name", "x", "default_limit", 1)))).body()).contains("Expecting to find service_id in registered_limit");
            assertThat(admin.post(V3 + "/registered_limits", obj("registered_limits", List.of(obj("service_id", service,
                    "region_id", "Nowhere", "resource_name", "x", "default_limit", 1)))).status()).isEqualTo(400);
            assertThat(admin.post(V3 + "/registered_limits", obj("registered_limits", List.of(obj("service_id", service,
                    "resource_name", "x", "default_limit", -2)))).status()).isEqualTo(400);
            assertThat(alice.post(V3 + "/registered_limits", obj("registered_limits", List.of(obj("service_id", service,
                    "resource_name", "x", "default_limit", 1)))).status()).isEqualTo(403);

            // anyone reads registered limits, with Keystone's filters
            assertThat(alice.get(V3 + "/registered_limits").json().get("registered_limits")).hasSize(2);
            assertThat(alice.get(V3 + "/registered_limits?region_id=RegionOne").json().get("registered_limits")).hasSize(1);
            assertThat(alice.get(V3 + "/registered_limits/" + registeredId).json().at("/registered_limit/description")
                    .asText()).isEqualTo("MiB");
            assertThat(alice.get(V3 + "/limits/model").json().at("/model/name").asText()).isEqualTo("flat");

            // a project limit needs its registered limit (403), an existing project (400), and is one per project (409)
            assertThat(admin.post(V3 + "/limits", obj("limits", List.of(obj("service_id", service, "region_id", "RegionOne",
                    "project_id", project, "resource_name", "image_count_total", "resource_limit", 1)))).body())
                    .contains("Unable to create a limit that has no corresponding registered limit.");
            assertThat(admin.post(V3 + "/limits", obj("limits", List.of(obj("service_id", service, "region_id", "RegionOne",
                    "project_id", "nope", "resource_name", "image_size_total", "resource_limit", 1)))).status()).isEqualTo(400);
            Reply limit = admin.post(V3 + "/limits", obj("limits", List.of(obj("service_id", service, "region_id",
                    "RegionOne", "project_id", project, "resource_name", "image_size_total", "resource_limit", 20))));
            assertThat(limit.status()).as(limit.body()).isEqualTo(201);
            JsonNode made = limit.json().at("/limits/0");
            assertThat(made.get("service_id").asText()).isEqualTo(service);
            assertThat(made.get("resource_name").asText()).isEqualTo("image_size_total");
            assertThat(made.get("domain_id").isNull()).isTrue();
            String limitId = made.get("id").asText();
            assertThat(admin.post(V3 + "/limits", obj("limits", List.of(obj("service_id", service, "region_id", "RegionOne",
                    "project_id", project, "resource_name", "image_size_total", "resource_limit", 5)))).status()).isEqualTo(409);

            // oslo.limit's read; a member sees its own project's limits only
            assertThat(admin.get(V3 + "/limits?service_id=" + service + "&region_id=RegionOne&project_id=" + project).json()
                    .get("limits")).hasSize(1);
            assertThat(alice.get(V3 + "/limits").json().get("limits")).hasSize(1);
            ApiClient bob = new ApiClient(server.baseUrl(), server.tokenFor("q", "bob", "member"));
            assertThat(bob.get(V3 + "/limits").json().get("limits")).isEmpty();
            assertThat(bob.get(V3 + "/limits?project_id=" + project).json().get("limits")).isEmpty();
            assertThat(bob.get(V3 + "/limits/" + limitId).status()).isEqualTo(403);
            assertThat(alice.get(V3 + "/limits/" + limitId).json().at("/limit/resource_limit").asLong()).isEqualTo(20);

            Reply patched = admin.patch(V3 + "/limits/" + limitId, obj("limit", obj("resource_limit", 30)),
                    "Content-Type", "application/json");
            assertThat(patched.json().at("/limit/resource_limit").asLong()).isEqualTo(30);

            // a registered limit with project limits can be neither changed nor deleted (403), then it can
            assertThat(admin.patch(V3 + "/registered_limits/" + registeredId, obj("registered_limit", obj("default_limit", 3)),
                    "Content-Type", "application/json").status()).isEqualTo(403);
            assertThat(admin.delete(V3 + "/registered_limits/" + registeredId).status()).isEqualTo(403);
            assertThat(admin.delete(V3 + "/limits/" + limitId).status()).isEqualTo(204);
            assertThat(admin.get(V3 + "/limits/" + limitId).status()).isEqualTo(404);
            assertThat(admin.patch(V3 + "/registered_limits/" + registeredId, obj("registered_limit", obj("default_limit", 3)),
                    "Content-Type", "application/json").json().at("/registered_limit/default_limit").asLong()).isEqualTo(3);
            assertThat(admin.delete(V3 + "/registered_limits/" + registeredId).status()).isEqualTo(204);
            assertThat(admin.get(V3 + "/registered_limits").json().get("registered_limits")).hasSize(1);
        }
    }
}
