package glint.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.App;
import glint.testing.ApiClient;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code glint metadefs load DIR}, the equivalent of {@code glance-manage db_load_metadefs}. */
class MetadefLoaderTest {
    private static final String HYPERVISOR = """
            {
                "namespace": "OS::Compute::Hypervisor",
                "display_name": "Hypervisor Selection",
                "description": "Choose a hypervisor.",
                "visibility": "public",
                "protected": true,
                "resource_type_associations": [{"name": "OS::Glance::Image"}],
                "properties": {
                    "hypervisor_type": {"title": "Hypervisor Type", "type": "string", "enum": ["kvm", "qemu"]},
                    "vm_mode": {"title": "VM Mode", "type": "string", "default": "hvm", "readonly": false}
                },
                "objects": [{"name": "Limits", "properties": {"max": {"title": "Max", "type": "integer", "minimum": 1}}}]
            }
            """;

    @Test
    void loadsGlanceFilesOnceAndServesThem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("compute-hypervisor.json"), HYPERVISOR);
        Files.writeString(dir.resolve("broken.json"), "{\"display_name\": \"no namespace\"}");
        Files.writeString(dir.resolve("README.txt"), "not a metadef file");
        try (TestServer server = TestServer.start()) {
            List<MetadefLoader.Outcome> first = App.loadMetadefs(server.app().config(), dir);
            assertThat(first).extracting(MetadefLoader.Outcome::result).containsExactly("failed", "loaded");
            assertThat(App.loadMetadefs(server.app().config(), dir)).extracting(MetadefLoader.Outcome::result)
                    .as("an existing namespace is skipped").containsExactly("failed", "skipped");

            ApiClient member = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
            JsonNode ns = member.get("/v2/metadefs/namespaces/OS::Compute::Hypervisor").json();
            assertThat(ns.get("owner").asText()).isEqualTo("admin");
            assertThat(ns.get("protected").asBoolean()).isTrue();
            assertThat(ns.get("properties").get("hypervisor_type").get("enum")).hasSize(2);
            assertThat(ns.get("objects").get(0).get("properties").get("max").get("minimum").asInt()).isEqualTo(1);
            assertThat(member.get("/v2/metadefs/namespaces?resource_types=OS::Glance::Image").json().get("namespaces")
                    .get(0).get("namespace").asText()).isEqualTo("OS::Compute::Hypervisor");
        }
    }
}
