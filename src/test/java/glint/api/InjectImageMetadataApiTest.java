package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inject_image_metadata import plugin over real HTTP (Glance's test_inject_image_metadata.py), and how
 * {@code image_import_plugins} is read: in order, an unknown name refusing to start.
 */
@DatabaseNeutral
class InjectImageMetadataApiTest {
    private static TestServer server;
    private static ApiClient alice;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.start("[image_import_opts]", "image_import_plugins = ['no_op', 'inject_image_metadata']",
                "[inject_metadata_properties]", "inject = hw_vendor:glint, note:a:b, os_glance_evil:1");
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode imported(ApiClient client) {
        return ImageConversionApiTest.imported(client, "raw", new byte[1024]);
    }

    @Test
    void theConfiguredPropertiesAreSetForAMemberButNotInGlancesNamespace() {
        JsonNode image = imported(alice);
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("hw_vendor").asText()).isEqualTo("glint");
        assertThat(image.get("note").asText()).isEqualTo("a:b");
        assertThat(image.has("os_glance_evil")).isFalse();
    }

    @Test
    void nothingIsSetForAnIgnoredRole() {
        JsonNode image = imported(admin);
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.has("hw_vendor")).isFalse();
    }

    @Test
    void copyImageRunsNoPlugin() {
        TestServer multi = TestServer.start("enabled_backends = fast:file, cheap:file", "[glance_store]",
                "default_backend = fast", "[image_import_opts]", "image_import_plugins = [inject_image_metadata]",
                "[inject_metadata_properties]", "inject = hw_vendor:glint", "ignore_user_roles =");
        try (multi) {
            ApiClient bob = new ApiClient(multi.baseUrl(), multi.adminToken()); // copy_image is admin's
            String id = ImageConversionApiTest.newImage(bob, "raw");
            assertThat(bob.put("/v2/images/" + id + "/file", new byte[512], "Content-Type", "application/octet-stream")
                    .status()).isEqualTo(204);
            assertThat(bob.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                    "stores", java.util.List.of("cheap"))).status()).isEqualTo(202);
            ImportApiTest.awaitTask(bob, id, "success");
            assertThat(bob.get("/v2/images/" + id).json().has("hw_vendor")).isFalse();
        }
    }

    @Test
    void anUnknownPluginRefusesToStart() {
        assertThatThrownBy(() -> TestServer.start("[image_import_opts]", "image_import_plugins = [image_conversion, nope]"))
                .rootCause().hasMessage("[image_import_opts] image_import_plugins: unknown plugin 'nope' (known: no_op, "
                        + "inject_image_metadata, image_conversion, image_decompression)");
    }
}
