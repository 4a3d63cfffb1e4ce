package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.RabbitBroker;
import glint.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * oslo.messaging itself as the consumer: Debian's python3-oslo.messaging (./test installs it) runs a notification
 * listener ({@code oslo_messaging.get_notification_listener}, src/test/resources/notifications/oslo_listener.py) on
 * Glint's exchange and topic, as Ceilometer does, and gets Glint's notifications with their event types, publisher,
 * payloads and metadata unchanged.
 */
@DatabaseNeutral
class OsloListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PRIORITIES = {"audit", "debug", "info", "warn", "error", "critical", "sample"};

    @Test
    void anOsloNotificationListenerGetsGlintsNotifications() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("/usr/bin/python3", "-c", "import oslo_messaging").start().waitFor() == 0,
                "python3-oslo.messaging is not installed (./test installs it)");
        String name = "glint-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (RabbitBroker broker = RabbitBroker.connect()) {
            for (String p : PRIORITIES) {
                broker.removeAtClose(name + "." + p);
            }
            broker.bind(name); // the exchange, removed at close
            Path script = Files.createTempFile("oslo_listener", ".py");
            try (var in = getClass().getResourceAsStream("/notifications/oslo_listener.py")) {
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Process listener = new ProcessBuilder("/usr/bin/python3", script.toString(), RabbitBroker.URL, name, name, "3", "60")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
                 TestServer server = TestServer.start("control_exchange = " + name, "default_publisher_id = image.glint-test",
                         "[oslo_messaging_notifications]", "driver = messagingv2", "topics = " + name,
                         "transport_url = " + RabbitBroker.URL)) {
                assertThat(out.readLine()).as("the listener started").isEqualTo("ready");
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                String id = admin.post("/v2/images", obj("name", "oslo", "disk_format", "raw", "container_format", "bare"))
                        .json().get("id").asText();
                admin.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/os_distro", "value", "cirros")));
                admin.delete("/v2/images/" + id);

                List<JsonNode> got = new ArrayList<>();
                for (String line; got.size() < 3 && (line = out.readLine()) != null; ) {
                    got.add(JSON.readTree(line));
                }
                assertThat(got).extracting(n -> n.get("event_type").asText())
                        .containsExactly("image.create", "image.update", "image.delete");
                for (JsonNode n : got) {
                    assertThat(n.get("priority").asText()).isEqualTo("info");
                    assertThat(n.get("publisher_id").asText()).isEqualTo("image.glint-test");
                    assertThat(n.get("payload").get("id").asText()).isEqualTo(id);
                    assertThat(n.get("metadata").get("message_id").asText()).matches("[0-9a-f-]{36}");
                    assertThat(n.get("metadata").get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?");
                    assertThat(n.get("ctxt").toString()).as("Glance notifies with an empty context: no _context_* keys")
                            .doesNotContain("user", "project", "auth_token");
                }
                assertThat(got.get(1).get("payload").get("properties").get("os_distro").asText()).isEqualTo("cirros");
                assertThat(got.get(2).get("payload").get("deleted").asBoolean()).isTrue();
            } finally {
                assertThat(listener.waitFor(30, TimeUnit.SECONDS)).as("the listener stops by itself").isTrue();
                Files.deleteIfExists(script);
            }
        }
    }
}
