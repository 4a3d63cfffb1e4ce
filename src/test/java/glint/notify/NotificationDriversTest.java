package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.LogCapture;
import glint.testing.Poll;
import glint.testing.RabbitBroker;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code [oslo_messaging_notifications] driver} other than {@code messagingv2}, and {@code disabled_notifications},
 * as a running Glint applies them: {@code log} writes each notification to the log (oslo's log driver: the message
 * as JSON on the logger {@code oslo.messaging.notification.<event_type>}, at its priority), {@code noop} sends
 * nothing to RabbitMQ, and a disabled event type never reaches the broker while the others do.
 */
@DatabaseNeutral
class NotificationDriversTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String create(ApiClient admin, String name) {
        return admin.post("/v2/images", obj("name", name)).json().get("id").asText();
    }

    @Test
    void theLogDriverLogsEachNotificationAsOslosLogDriver() {
        try (LogCapture log = LogCapture.of("oslo.messaging.notification");
             TestServer server = TestServer.start("default_publisher_id = image.logged",
                     "[oslo_messaging_notifications]", "driver = log")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = create(admin, "logged");
            ILoggingEvent event = Poll.until(Duration.ofSeconds(10), () -> log.events().stream()
                    .filter(e -> e.getFormattedMessage().contains(id)).findFirst().orElse(null), e -> e != null);
            assertThat(event).as("a log line with the notification of image %s", id).isNotNull();
            assertThat(event.getLoggerName()).isEqualTo("oslo.messaging.notification.image.create");
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            JsonNode message = json(event.getFormattedMessage());
            assertThat(message.get("event_type").asText()).isEqualTo("image.create");
            assertThat(message.get("publisher_id").asText()).isEqualTo("image.logged");
            assertThat(message.get("priority").asText()).isEqualTo("INFO");
            assertThat(message.get("payload").get("id").asText()).isEqualTo(id);
            assertThat(message.get("message_id").asText()).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void theNoopDriverSendsNothingToTheBrokerWhereMessagingv2Does() throws IOException {
        try (RabbitBroker broker = RabbitBroker.connect()) {
            String topic = broker.ownTopic();
            String queue = broker.bind(topic, topic + ".*");
            // close() sends what is buffered and waits for the broker's confirms: whatever was sent is queued by then
            try (TestServer noop = TestServer.start(RabbitBroker.publishing(topic, "noop", RabbitBroker.URL))) {
                ApiClient admin = new ApiClient(noop.baseUrl(), noop.adminToken());
                admin.delete("/v2/images/" + create(admin, "unheard"));
            }
            assertThat(broker.waiting(queue)).as("messages from the noop driver").isZero();

            try (TestServer sending = TestServer.start(RabbitBroker.publishing(topic, "messagingv2", RabbitBroker.URL))) {
                create(new ApiClient(sending.baseUrl(), sending.adminToken()), "heard");
            }
            assertThat(broker.waiting(queue)).as("the same with messagingv2").isEqualTo(1);
        }
    }

    @Test
    void aDisabledEventTypeIsNotPublishedAndTheOthersAre() throws IOException {
        try (RabbitBroker broker = RabbitBroker.connect()) {
            String topic = broker.ownTopic();
            String queue = broker.bind(topic, topic + ".*");
            try (TestServer server = TestServer.start(RabbitBroker.publishing(topic, "messagingv2", RabbitBroker.URL,
                    "[DEFAULT]", "disabled_notifications = image.update, task"))) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                String id = create(admin, "partly-told");
                assertThat(admin.patch("/v2/images/" + id, List.of(obj("op", "replace", "path", "/name", "value", "renamed")))
                        .status()).isEqualTo(200);
                assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);
                // one publisher sends in order: an image.update would come between these two
                List<String> types = broker.take(queue, 2, Duration.ofSeconds(30)).stream()
                        .map(m -> json(m.json().get("oslo.message").asText()).get("event_type").asText()).toList();
                assertThat(types).containsExactly("image.create", "image.delete");
            }
            assertThat(broker.waiting(queue)).as("nothing after the delete").isZero();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
