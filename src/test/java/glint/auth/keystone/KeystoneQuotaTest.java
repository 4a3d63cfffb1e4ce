package glint.auth.keystone;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.KeystoneFixture;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Unified limits read from a real Keystone ({@code [identity] mode = keystone}, scripts/keystone.sh), as oslo.limit
 * reads them for Glance: the limits of the endpoint {@code [oslo_limit] endpoint_id} names, read with the
 * {@code [oslo_limit]} user's system-scoped token (Keystone 22 lists a project-scoped token's own project's limits
 * only, whatever its roles; Glance's install guide gives the glance user system reader); a project limit over the
 * registered default; both enforced.
 */
class KeystoneQuotaTest {
    @Test
    void limitsRegisteredInKeystoneAreEnforced() {
        KeystoneFixture keystone = KeystoneFixture.fromSystemProperties();
        KeystoneFixture.assumePresent(keystone);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        // a service of its own, so that runs and other tests do not share limits
        String service = keystone.asAdmin("POST", "/v3/services", "{\"service\":{\"type\":\"image-quota-" + suffix
                + "\",\"name\":\"glint-quota-" + suffix + "\"}}").path("service").path("id").asText();
        List<String> registered = new ArrayList<>();
        String limit = null;
        try {
            String endpoint = keystone.asAdmin("POST", "/v3/endpoints", "{\"endpoint\":{\"service_id\":\"" + service
                    + "\",\"interface\":\"public\",\"url\":\"http://127.0.0.1:9/\"}}").path("endpoint").path("id").asText();
            for (String[] r : new String[][] {{"image_size_total", "1"}, {"image_stage_total", "10"},
                    {"image_count_total", "1"}, {"image_count_uploading", "10"}}) {
                registered.add(keystone.asAdmin("POST", "/v3/registered_limits", "{\"registered_limits\":[{\"service_id\":\""
                        + service + "\",\"resource_name\":\"" + r[0] + "\",\"default_limit\":" + r[1] + "}]}")
                        .path("registered_limits").get(0).path("id").asText());
            }
            String projectA = keystone.createProject("quota-a");
            String projectB = keystone.createProject("quota-b");
            limit = keystone.asAdmin("POST", "/v3/limits", "{\"limits\":[{\"service_id\":\"" + service + "\",\"project_id\":\""
                    + projectA + "\",\"resource_name\":\"image_count_total\",\"resource_limit\":2}]}")
                    .path("limits").get(0).path("id").asText();

            List<String> config = new ArrayList<>(List.of(keystone.glintConfig(300)));
            config.addAll(List.of("[DEFAULT]", "use_keystone_limits = true", "[oslo_limit]", "endpoint_id = " + endpoint,
                    "username = admin", "password = " + keystone.adminPassword, "system_scope = all"));
            try (TestServer server = TestServer.start(config.toArray(String[]::new))) {
                ApiClient alice = new ApiClient(server.baseUrl(), keystone.userToken(projectA, "member"));
                ApiClient bob = new ApiClient(server.baseUrl(), keystone.userToken(projectB, "member"));
                assertThat(alice.get("/v2/info/usage").json().at("/usage/image_count_total/limit").asLong()).isEqualTo(2);
                assertThat(bob.get("/v2/info/usage").json().at("/usage/image_count_total/limit").asLong()).isEqualTo(1);

                String image = create(alice).json().get("id").asText();
                assertThat(create(alice).status()).isEqualTo(201);
                Reply third = create(alice);
                assertThat(third.status()).isEqualTo(413);
                assertThat(third.body()).contains("Project " + projectA + " is over a limit for [Resource image_count_total "
                        + "is over limit of 2 due to current usage 2 and delta 1]");
                assertThat(create(bob).status()).isEqualTo(201);
                assertThat(create(bob).status()).isEqualTo(413);

                // image_size_total 1 MiB: the upload is cut where it crosses it
                Reply upload = alice.put("/v2/images/" + image + "/file", new byte[(1 << 20) + 1], "Content-Type",
                        "application/octet-stream");
                assertThat(upload.status()).isEqualTo(413);
                assertThat(upload.body()).contains("image_size_total is over limit of 1");
                assertThat(alice.put("/v2/images/" + image + "/file", new byte[1 << 20], "Content-Type",
                        "application/octet-stream").status()).isEqualTo(204);
                assertThat(alice.get("/v2/info/usage").json().at("/usage/image_size_total/usage").asLong()).isEqualTo(1);
            }
        } finally {
            if (limit != null) {
                keystone.asAdmin("DELETE", "/v3/limits/" + limit, null);
            }
            for (String id : registered) {
                keystone.asAdmin("DELETE", "/v3/registered_limits/" + id, null);
            }
            keystone.asAdmin("DELETE", "/v3/services/" + service, null);
        }
    }

    private static Reply create(ApiClient client) {
        return client.post("/v2/images", obj("name", "q", "disk_format", "raw", "container_format", "bare"));
    }
}
