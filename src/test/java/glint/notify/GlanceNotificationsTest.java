package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.RabbitBroker;
import glint.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Glint's notifications against what Glance 25.1 sent for the same calls (src/test/resources/notifications/
 * glance-25.1/, scripts/capture-notifications.py): a real AMQP consumer on the test RabbitMQ bound to exchange
 * {@code glance} with {@code notifications.*}; for each step, the number of messages Glance sent, then the same
 * event types in the same order, the same envelope and AMQP properties, payload keys and value types, and equal
 * values where they are not ids or times. The differences Glint keeps are listed in {@link #KNOWN} and
 * docs/operations.md.
 */
@DatabaseNeutral
class GlanceNotificationsTest {
    /** The bytes the capture uploaded: 0..255, 16 times. */
    static final byte[] DATA = data();

    /**
     * Paths compared nowhere: the import lock, a task id whose life differs (Glint drops it with its last write,
     * Glance after it, unnotified); the staging node, a host (Glint records it for every glance-direct stage,
     * Glance only with worker_self_reference_url).
     */
    private static final Set<String> IGNORED = Set.of("/body/oslo.message/payload/properties/os_glance_import_task",
            "/body/oslo.message/payload/properties/os_glance_stage_host");

    /** Where Glint differs on purpose: scenario/step → what (a Glance message Glint does not send, or a path). */
    static final Map<String, Known> KNOWN = Map.of(
            "image/download-by-member", new Known(-1, "/body/oslo.message/payload/destination_ip",
                    "Glance adds destination_ip only to downloads its cache middleware serves (this one was cached)"),
            "import/copy-image", new Known(3, null,
                    "Glance saves the image once more, unchanged, after copying the data to staging; Glint copies "
                            + "store to store"));

    record Known(int glanceOnlyMessage, String path, String why) {}

    private static TestServer server;
    private static RabbitBroker broker;
    private static String queue;
    private static HttpServer web;
    private static ApiClient admin;
    private static ApiClient demo;
    private static final Map<String, String> NAMES = new LinkedHashMap<>();
    private static final List<String> DIFFERENCES = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = RabbitBroker.connect();
        queue = broker.bind("glance", "notifications.*");
        broker.removeAtClose("notifications.info", "notifications.error", "notifications.warn");
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/data")) {
                ex.sendResponseHeaders(200, DATA.length);
                ex.getResponseBody().write(DATA);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        web.start();
        server = TestServer.start("enabled_backends = file1:file, file2:file", "[glance_store]", "default_backend = file1",
                "[import_filtering_opts]", "allowed_hosts = [127.0.0.1]", "allowed_ports = [" + web.getAddress().getPort() + "]",
                "[oslo_messaging_notifications]", "driver = messagingv2", "transport_url = " + RabbitBroker.URL);
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        demo = new ApiClient(server.baseUrl(), server.tokenFor("demo", "demo", "member"));
        NAMES.put(server.projectId("admin"), "<project:admin>");
        NAMES.put(server.projectId("demo"), "<project:demo>");
        NAMES.put(userId(admin), "<user:admin>");
        NAMES.put(userId(demo), "<user:demo>");
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(DATA));
        NAMES.put(md5, md5);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (web != null) {
            web.stop(0);
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static String userId(ApiClient client) {
        return admin.get("/identity/v3/auth/tokens", "X-Subject-Token", client.token()).json().get("token").get("user")
                .get("id").asText();
    }

    private static byte[] data() {
        byte[] b = new byte[4096];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void theImageLifecycleAsGlance() throws Exception {
        List<NotificationCapture.Step> steps = NotificationCapture.glance("image");
        String id = admin.post("/v2/images", obj("name", "notify-1", "disk_format", "raw", "container_format", "bare",
                "min_disk", 1, "tags", List.of("t1"), "hw_scsi_model", "virtio-scsi")).json().get("id").asText();
        NAMES.put(id, "<image>");
        String demoProject = server.projectId("demo");
        compare("image", steps, "create");
        expect(204, admin.put("/v2/images/" + id + "/file", DATA, "Content-Type", "application/octet-stream"));
        compare("image", steps, "upload");
        expect(200, admin.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/name", "value", "notify-1b"),
                obj("op", "add", "path", "/os_distro", "value", "cirros"))));
        compare("image", steps, "update");
        expect(204, admin.put("/v2/images/" + id + "/tags/t2", null));
        compare("image", steps, "add-tag");
        expect(200, admin.get("/v2/images/" + id + "/file"));
        compare("image", steps, "download");
        expect(200, admin.post("/v2/images/" + id + "/members", obj("member", demoProject)));
        compare("image", steps, "member-create");
        expect(200, demo.send("PUT", "/v2/images/" + id + "/members/" + demoProject,
                "{\"status\": \"accepted\"}".getBytes(), "Content-Type", "application/json"));
        compare("image", steps, "member-update");
        expect(200, demo.get("/v2/images/" + id + "/file"));
        compare("image", steps, "download-by-member");
        expect(204, admin.delete("/v2/images/" + id + "/members/" + demoProject));
        compare("image", steps, "member-delete");
        expect(204, admin.post("/v2/images/" + id + "/actions/deactivate", null));
        compare("image", steps, "deactivate");
        expect(204, admin.post("/v2/images/" + id + "/actions/reactivate", null));
        compare("image", steps, "reactivate");
        expect(204, admin.delete("/v2/images/" + id));
        compare("image", steps, "delete");

        // an upload refused before it starts sends nothing: the next message is the delete's
        steps = NotificationCapture.glance("upload-refused");
        String bare = admin.post("/v2/images", obj("name", "notify-2")).json().get("id").asText();
        NAMES.put(bare, "<image>");
        compare("upload-refused", steps, "create");
        expect(400, admin.put("/v2/images/" + bare + "/file", DATA, "Content-Type", "application/octet-stream"));
        compare("upload-refused", steps, "upload");
        expect(204, admin.delete("/v2/images/" + bare));
        compare("upload-refused", steps, "delete");
        assertNoDifferences();
    }

    @Test
    void importsAsGlance() throws Exception {
        List<NotificationCapture.Step> steps = NotificationCapture.glance("import");
        String id = admin.post("/v2/images", obj("name", "notify-3", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        NAMES.put(id, "<image>");
        compare("import", steps, "create");
        expect(204, admin.put("/v2/images/" + id + "/stage", DATA, "Content-Type", "application/octet-stream"));
        compare("import", steps, "stage");
        expect(202, admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))));
        nameTasks(id);
        compare("import", steps, "glance-direct");
        expect(202, admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("file2"))));
        nameTasks(id);
        compare("import", steps, "copy-image");
        expect(204, admin.delete("/v2/images/" + id));
        compare("import", steps, "delete");

        for (String[] s : new String[][] {{"web-download", "/data"}, {"web-download-failed", "/missing"}}) {
            steps = NotificationCapture.glance(s[0]);
            String w = admin.post("/v2/images", obj("name", "notify-4", "disk_format", "raw", "container_format", "bare"))
                    .json().get("id").asText();
            NAMES.put(w, "<image>");
            compare(s[0], steps, "create");
            expect(202, admin.post("/v2/images/" + w + "/import", obj("method", obj("name", "web-download",
                    "uri", "http://127.0.0.1:" + web.getAddress().getPort() + s[1]))));
            nameTasks(w);
            compare(s[0], steps, "web-download");
            expect(204, admin.delete("/v2/images/" + w));
            compare(s[0], steps, "delete");
        }
        assertNoDifferences();
    }

    @Test
    void metadefsAsGlance() throws Exception {
        List<NotificationCapture.Step> steps = NotificationCapture.glance("metadefs");
        String ns = "/v2/metadefs/namespaces";
        expect(201, admin.post(ns, obj("namespace", "GlintNotify", "display_name", "Notify test", "description",
                "for notifications", "visibility", "public", "protected", false)));
        compare("metadefs", steps, "namespace-create");
        expect(201, admin.post(ns + "/GlintNotify/objects", obj("name", "obj1", "description", "an object",
                "required", List.of("p1"), "properties", obj("p1", obj("type", "string", "title", "P1", "enum", List.of("a", "b"))))));
        compare("metadefs", steps, "object-create");
        expect(201, admin.post(ns + "/GlintNotify/properties", obj("name", "prop1", "type", "integer", "title", "Prop 1",
                "minimum", 1, "maximum", 8)));
        compare("metadefs", steps, "property-create");
        expect(201, admin.post(ns + "/GlintNotify/tags/tag1", null));
        compare("metadefs", steps, "tag-create");
        expect(201, admin.post(ns + "/GlintNotify/resource_types", obj("name", "OS::Glance::Image", "prefix", "notify_")));
        compare("metadefs", steps, "resource-type-associate");
        expect(200, admin.send("PUT", ns + "/GlintNotify", ("{\"namespace\": \"GlintNotify\", \"display_name\": \"Notify test\","
                + " \"description\": \"changed\", \"visibility\": \"public\", \"protected\": false}").getBytes(),
                "Content-Type", "application/json"));
        compare("metadefs", steps, "namespace-update");
        expect(204, admin.delete(ns + "/GlintNotify/tags/tag1"));
        compare("metadefs", steps, "tag-delete");
        expect(204, admin.delete(ns + "/GlintNotify"));
        compare("metadefs", steps, "namespace-delete");
        assertNoDifferences();
    }

    /** Names the image's tasks as the capture does ({@code <task:N>}, in the order they appear). */
    private static void nameTasks(String imageId) {
        JsonNode tasks = Poll.until(Duration.ofSeconds(60), () -> admin.get("/v2/images/" + imageId + "/tasks").json().get("tasks"),
                t -> t.size() > 0 && t.findValues("status").stream().allMatch(s -> s.asText().equals("success")
                        || s.asText().equals("failure")));
        long named = NAMES.values().stream().filter(v -> v.startsWith("<task")).count();
        for (JsonNode t : tasks) {
            if (!NAMES.containsKey(t.get("id").asText())) {
                NAMES.put(t.get("id").asText(), "<task:" + ++named + ">");
            }
        }
    }

    private static void expect(int status, ApiClient.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    }

    /** Takes as many messages as Glance sent for the step and records how they differ from Glance's. */
    private static void compare(String scenario, List<NotificationCapture.Step> steps, String name) throws IOException {
        NotificationCapture.Step step = steps.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        List<JsonNode> expected = new ArrayList<>(step.messages());
        Known known = KNOWN.get(scenario + "/" + name);
        if (known != null && known.glanceOnlyMessage() >= 0) {
            expected.remove(known.glanceOnlyMessage());
        }
        Set<String> ignored = new java.util.HashSet<>(IGNORED);
        if (known != null && known.path() != null) {
            ignored.add(known.path());
        }
        List<RabbitBroker.Received> got = broker.take(queue, expected.size(), Duration.ofSeconds(30));
        for (int i = 0; i < expected.size(); i++) {
            JsonNode glint = NotificationCapture.normalised(got.get(i), NAMES);
            for (String d : JsonDiff.between(expected.get(i), glint, ignored)) {
                DIFFERENCES.add(scenario + "/" + name + " #" + i + " " + expected.get(i).at("/body/oslo.message/event_type")
                        .asText() + ": " + d);
            }
            assertThat(got.get(i).json().get("oslo.message").isTextual()).as("oslo.message is a JSON string").isTrue();
        }
    }

    private static void assertNoDifferences() {
        List<String> found = new ArrayList<>(DIFFERENCES);
        DIFFERENCES.clear();
        assertThat(found).as("differences from Glance 25.1's notifications").isEmpty();
    }
}
