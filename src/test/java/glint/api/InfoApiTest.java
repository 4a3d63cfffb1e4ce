package glint.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.TestServer;
import org.junit.jupiter.api.Test;

/** Discovery calls, single- and multi-store, as Glance answers them. */
class InfoApiTest {
    @Test
    void singleStoreListsGlancesDefaultImportMethodsAndHasNoStoresList() {
        try (TestServer server = TestServer.start()) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            JsonNode methods = admin.get("/v2/info/import").json().get("import-methods");
            assertThat(methods.get("type").asText()).isEqualTo("array");
            assertThat(methods.get("value")).extracting(JsonNode::asText)
                    .containsExactly("glance-direct", "web-download", "copy-image");
            assertThat(admin.get("/v2/info/stores").status()).isEqualTo(404);
        }
    }

    @Test
    void importMethodsFollowEnabledImportMethodsInOsloListSyntax() {
        try (TestServer server = TestServer.start("enabled_import_methods = ['web-download']")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            assertThat(admin.get("/v2/info/import").json().at("/import-methods/value")).extracting(JsonNode::asText)
                    .containsExactly("web-download");
        }
    }

    @Test
    void noImportMethodEnabledListsNone() {
        try (TestServer server = TestServer.start("enabled_import_methods = []")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            assertThat(admin.get("/v2/info/import").json().at("/import-methods/value")).isEmpty();
            ApiClient.Reply created = admin.post("/v2/images", ApiClient.obj("name", "x"));
            assertThat(created.header("OpenStack-image-import-methods")).isEmpty();
        }
    }

    @Test
    void multiStoreListsTheStoresAndMarksTheDefault() {
        try (TestServer server = TestServer.start("enabled_backends = fast:file, cheap:file",
                "[glance_store]", "default_backend = fast", "[cheap]", "store_description = Slow and cheap")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            JsonNode stores = admin.get("/v2/info/stores").json().get("stores");
            assertThat(stores).hasSize(2);
            assertThat(stores.get(0).get("id").asText()).isEqualTo("fast");
            assertThat(stores.get(0).get("default").asText()).isEqualTo("true");
            assertThat(stores.get(1).get("description").asText()).isEqualTo("Slow and cheap");
            assertThat(stores.get(1).has("default")).isFalse();
        }
    }
}
