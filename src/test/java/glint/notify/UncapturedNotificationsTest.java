package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.RabbitBroker;
import glint.testing.RawHttp;
import glint.testing.TestBytes;
import glint.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The notifications the Glance 25.1 capture has no step for (GlanceNotificationsTest), checked against what
 * glance/notifier.py sends for them: the metadef updates and deletes ({@code Metadef*RepoProxy.save} and
 * {@code remove}: the create's payload, {@code name_old} the name before, a delete's {@code deleted} true and its
 * time; {@code remove_objects}, {@code remove_properties}, {@code remove_tags}: the namespace's payload, not
 * deleted), whose keys are those of the capture's create of the same kind, in its order; and the two ERROR ones,
 * {@code image.upload} (a string, from {@code ImageProxy.set_data}) and a short {@code image.send}
 * ({@code _get_chunk_data_iterator}). A real AMQP consumer on an exchange and topic of the test's own.
 */
@DatabaseNeutral
class UncapturedNotificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "/v2/metadefs/namespaces";

    private static RabbitBroker broker;
    private static String queue;
    private static String topic;
    private static TestServer server;
    private static ApiClient admin;

    @BeforeAll
    static void start() throws IOException {
        broker = RabbitBroker.connect();
        topic = broker.ownTopic();
        queue = broker.bind(topic, topic + ".*");
        server = TestServer.start(RabbitBroker.publishing(topic, "messagingv2", RabbitBroker.URL));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A message as an oslo consumer reads it: the envelope's {@code oslo.message}, with the routing key. */
    private record Message(String routingKey, JsonNode body) {
        String eventType() {
            return body.get("event_type").asText();
        }

        JsonNode payload() {
            return body.get("payload");
        }
    }

    private static List<Message> next(int n) throws IOException {
        List<Message> out = new ArrayList<>();
        for (RabbitBroker.Received r : broker.take(queue, n, Duration.ofSeconds(30))) {
            out.add(new Message(r.routingKey(), JSON.readTree(r.json().get("oslo.message").asText())));
        }
        return out;
    }

    private static Message one(String eventType) throws IOException {
        Message m = next(1).get(0);
        assertThat(m.eventType()).isEqualTo(eventType);
        assertThat(m.routingKey()).isEqualTo(topic + ".info");
        assertThat(m.body().get("priority").asText()).isEqualTo("INFO");
        return m;
    }

    private static void expect(int status, Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    }

    /** The payload keys Glance 25.1 sent for the create of the capture's step, in its order. */
    private static List<String> glanceKeys(String step) throws IOException {
        JsonNode payload = NotificationCapture.glance("metadefs").stream().filter(s -> s.name().equals(step)).findFirst()
                .orElseThrow().messages().get(0).at("/body/oslo.message/payload");
        return keys(payload);
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Glance's keys, the names, and deleted with a time or not. */
    private static void assertPayload(Message m, String step, String name, String nameOld, boolean deleted)
            throws IOException {
        JsonNode p = m.payload();
        assertThat(keys(p)).as(m.eventType()).containsExactlyElementsOf(glanceKeys(step));
        assertThat(p.get("namespace").asText()).isEqualTo("Uncaptured");
        assertThat(p.get("name").asText()).isEqualTo(name);
        assertThat(p.get("name_old").asText()).isEqualTo(nameOld);
        assertThat(p.get("deleted").asBoolean()).isEqualTo(deleted);
        if (deleted) {
            assertThat(p.get("deleted_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        } else {
            assertThat(p.get("deleted_at").isNull()).isTrue();
        }
    }

    private static void assertNamespace(Message m) throws IOException {
        assertThat(keys(m.payload())).containsExactlyElementsOf(glanceKeys("namespace-create"));
        assertThat(m.payload().get("namespace").asText()).isEqualTo("Uncaptured");
        assertThat(m.payload().get("deleted").asBoolean()).as("emptying a namespace deletes no namespace").isFalse();
    }

    @Test
    void metadefUpdatesAndDeletesAsGlancesNotifier() throws IOException {
        expect(201, admin.post(NS, obj("namespace", "Uncaptured", "visibility", "public")));
        one("metadef_namespace.create");

        expect(201, admin.post(NS + "/Uncaptured/objects", obj("name", "obj1", "properties",
                obj("p1", obj("type", "string", "title", "P1")))));
        one("metadef_object.create");
        expect(200, admin.send("PUT", NS + "/Uncaptured/objects/obj1", ("{\"name\": \"obj2\", \"properties\": "
                + "{\"p1\": {\"type\": \"string\", \"title\": \"P1\"}}}").getBytes(), "Content-Type", "application/json"));
        Message objectUpdate = one("metadef_object.update");
        assertPayload(objectUpdate, "object-create", "obj2", "obj1", false);
        assertThat(objectUpdate.payload().at("/properties/0/name").asText()).isEqualTo("p1");
        expect(204, admin.delete(NS + "/Uncaptured/objects/obj2"));
        assertPayload(one("metadef_object.delete"), "object-create", "obj2", "obj2", true);

        expect(201, admin.post(NS + "/Uncaptured/properties", obj("name", "prop1", "type", "integer", "title", "Prop 1")));
        one("metadef_property.create");
        expect(200, admin.send("PUT", NS + "/Uncaptured/properties/prop1",
                "{\"name\": \"prop2\", \"type\": \"integer\", \"title\": \"Prop 2\", \"minimum\": 3}".getBytes(),
                "Content-Type", "application/json"));
        Message propertyUpdate = one("metadef_property.update");
        assertPayload(propertyUpdate, "property-create", "prop2", "prop1", false);
        assertThat(propertyUpdate.payload().get("title").asText()).isEqualTo("Prop 2");
        assertThat(propertyUpdate.payload().get("minimum").asInt()).isEqualTo(3);
        expect(204, admin.delete(NS + "/Uncaptured/properties/prop2"));
        assertPayload(one("metadef_property.delete"), "property-create", "prop2", "prop2", true);

        expect(201, admin.post(NS + "/Uncaptured/tags/tag1", null));
        one("metadef_tag.create");
        expect(200, admin.send("PUT", NS + "/Uncaptured/tags/tag1", "{\"name\": \"tag2\"}".getBytes(),
                "Content-Type", "application/json"));
        assertPayload(one("metadef_tag.update"), "tag-create", "tag2", "tag1", false);

        expect(201, admin.post(NS + "/Uncaptured/resource_types", obj("name", "OS::Glance::Image", "prefix", "u_")));
        one("metadef_resource_type.create");
        expect(204, admin.delete(NS + "/Uncaptured/resource_types/OS::Glance::Image"));
        Message dissociated = one("metadef_resource_type.delete");
        assertPayload(dissociated, "resource-type-associate", "OS::Glance::Image", "OS::Glance::Image", true);
        assertThat(dissociated.payload().get("prefix").asText()).isEqualTo("u_");

        // DELETE …/objects, /properties, /tags: one event for the namespace, none per definition (as Glance)
        expect(201, admin.post(NS + "/Uncaptured/objects", obj("name", "obj3")));
        one("metadef_object.create");
        expect(204, admin.delete(NS + "/Uncaptured/objects"));
        assertNamespace(one("metadef_namespace.delete_objects"));
        expect(201, admin.post(NS + "/Uncaptured/properties", obj("name", "prop3", "type", "string", "title", "P3")));
        one("metadef_property.create");
        expect(204, admin.delete(NS + "/Uncaptured/properties"));
        assertNamespace(one("metadef_namespace.delete_properties"));
        expect(204, admin.delete(NS + "/Uncaptured/tags"));
        assertNamespace(one("metadef_namespace.delete_tags"));

        expect(204, admin.delete(NS + "/Uncaptured"));
        assertThat(one("metadef_namespace.delete").payload().get("deleted").asBoolean()).isTrue();
        assertThat(broker.waiting(queue)).isZero();
    }

    @Test
    void anUploadCutShortIsImageUploadAtErrorWithGlancesMessageThenTheImageBackToQueued() throws IOException {
        String id = admin.post("/v2/images", obj("name", "cut", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        one("image.create");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.head("PUT", "/v2/images/" + id + "/file", "X-Auth-Token: " + admin.token(),
                    "Content-Type: application/octet-stream", "Content-Length: 100000");
            raw.send(new byte[1000]); // then the client goes: the body ends 99 000 bytes early
        }
        assertThat(one("image.update").payload().get("status").asText()).isEqualTo("saving");
        one("image.prepare");
        Message failed = next(1).get(0);
        assertThat(failed.eventType()).isEqualTo("image.upload");
        assertThat(failed.routingKey()).isEqualTo(topic + ".error");
        assertThat(failed.body().get("priority").asText()).isEqualTo("ERROR");
        // Glance's set_data sends its message, a string, as the payload
        assertThat(failed.payload().isTextual()).as("payload %s", failed.payload()).isTrue();
        assertThat(failed.payload().asText()).startsWith("Cannot save data for image " + id + ": ");
        assertThat(one("image.update").payload().get("status").asText()).isEqualTo("queued");
        assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
    }

    @Test
    void aDownloadTheClientLeavesIsImageSendAtErrorWithTheBytesSent() throws IOException {
        // three of the file store's 16 MiB read windows; the client reads past the first, then goes: bytes_sent counts
        // the windows written whole (a client gone within the first sends nothing, as Glance's generator closed early)
        int size = 40 << 20;
        String id = admin.post("/v2/images", obj("name", "big", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        expect(204, admin.put("/v2/images/" + id + "/file", TestBytes.bytes(4, size), "Content-Type",
                "application/octet-stream"));
        assertThat(next(6)).extracting(Message::eventType).containsExactly("image.create", "image.update",
                "image.prepare", "image.upload", "image.activate", "image.update");
        // a whole download is INFO with every byte
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).hasSize(size);
        assertThat(one("image.send").payload().get("bytes_sent").asLong()).isEqualTo(size);

        // a small receive buffer, so that the server cannot put the rest in flight: it is still writing when the
        // client goes, having written at most the client's reads plus the sockets' buffers (a few MiB)
        try (RawHttp raw = new RawHttp(server.port(), 64 * 1024)) {
            raw.head("GET", "/v2/images/" + id + "/file", "X-Auth-Token: " + admin.token());
            assertThat(raw.readHead().status()).isEqualTo(200);
            assertThat(raw.readBody(20 << 20)).isEqualTo(20 << 20);
        } // closed with unread data: the server's next writes fail
        Message cut = next(1).get(0);
        assertThat(cut.eventType()).isEqualTo("image.send");
        assertThat(cut.routingKey()).isEqualTo(topic + ".error");
        assertThat(cut.body().get("priority").asText()).isEqualTo("ERROR");
        JsonNode p = cut.payload();
        assertThat(keys(p)).containsExactly("bytes_sent", "image_id", "owner_id", "receiver_tenant_id", "receiver_user_id");
        assertThat(p.get("bytes_sent").asLong()).isBetween(1L, size - 1L);
        assertThat(p.get("image_id").asText()).isEqualTo(id);
        assertThat(p.get("owner_id").asText()).isEqualTo(server.projectId("admin"));
        assertThat(p.get("receiver_tenant_id").asText()).isEqualTo(server.projectId("admin"));
        assertThat(p.get("receiver_user_id").asText()).matches("[0-9a-f]{32}");
    }
}
