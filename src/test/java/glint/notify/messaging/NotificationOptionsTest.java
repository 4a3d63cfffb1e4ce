package glint.notify.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.ConfigLoader;
import glint.config.GlintConfig.NotificationsConfig;
import glint.config.IniFile;
import glint.notify.Notifier.Priority;
import glint.testing.DatabaseNeutral;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notification options as Glance reads them, the transport URL, and what the notifier filters. */
@DatabaseNeutral
class NotificationOptionsTest {
    private static NotificationsConfig config(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of(), Map.of()).notifications();
    }

    @Test
    void withoutADriverNothingIsSentAsInGlance() {
        NotificationsConfig c = config();
        assertThat(c.drivers()).isEmpty();
        assertThat(c.off()).isTrue();
        assertThat(c.exchange()).isEqualTo("glance");
        assertThat(c.publisherId()).isEqualTo("image.localhost");
        assertThat(c.topics()).containsExactly("notifications");
        assertThat(c.retry()).isEqualTo(-1);
        assertThat(c.rabbit().durable()).isFalse();
        assertThat(c.rabbit().retryInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Notifications.start(c, new com.fasterxml.jackson.databind.ObjectMapper(), new SimpleMeterRegistry(),
                Clock.systemUTC()).active()).isFalse();
    }

    @Test
    void oslosOptionsAreRead() {
        NotificationsConfig c = config("transport_url = rabbit://a:b@h1:5673/x", "default_publisher_id = image.node1",
                "disabled_notifications = image.create, task", "control_exchange = images",
                "[oslo_messaging_notifications]", "driver = messagingv2", "driver = log", "topics = notifications, audit",
                "[oslo_messaging_rabbit]", "amqp_durable_queues = true", "rabbit_interval_max = 10");
        assertThat(c.drivers()).containsExactly("messagingv2", "log");
        assertThat(c.transportUrl()).isEqualTo("rabbit://a:b@h1:5673/x");
        assertThat(c.topics()).containsExactly("notifications", "audit");
        assertThat(c.disabled()).containsExactly("image.create", "task");
        assertThat(c.exchange()).isEqualTo("images");
        assertThat(c.rabbit().durable()).isTrue();
        assertThat(c.rabbit().intervalMax()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config("[oslo_messaging_notifications]", "transport_url = rabbit://n/", "[DEFAULT]",
                "transport_url = rabbit://d/").transportUrl()).isEqualTo("rabbit://n/");
        assertThatThrownBy(() -> config("[oslo_messaging_notifications]", "driver = kafka"))
                .hasMessageContaining("unknown driver 'kafka'");
    }

    @Test
    void transportUrlsAsOslo() {
        TransportUrl u = TransportUrl.parse("rabbit://user:p%40ss@r1:5673,user:p%40ss@r2/vhost?ssl=0");
        assertThat(u.user()).isEqualTo("user");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.hosts()).extracting(a -> a.getHost() + ":" + a.getPort()).containsExactly("r1:5673", "r2:5672");
        assertThat(u.virtualHost()).isEqualTo("vhost");
        assertThat(TransportUrl.parse("rabbit://guest:guest@127.0.0.1:5672/").virtualHost()).isEqualTo("/");
        assertThatThrownBy(() -> TransportUrl.parse("kafka://u:secret@h:9092/")).hasMessageContaining("u:***@h")
                .hasMessageNotContaining("secret");
    }

    @Test
    void disabledNotificationsMatchAsGlancesTypeOrGroup() {
        NotificationsConfig c = config("disabled_notifications = image.create, task, image.member",
                "[oslo_messaging_notifications]", "driver = log");
        try (Notifications n = Notifications.start(c, new com.fasterxml.jackson.databind.ObjectMapper(),
                new SimpleMeterRegistry(), Clock.systemUTC())) {
            assertThat(n.enabled("image.create")).isFalse();
            assertThat(n.enabled("image.update")).isTrue();
            assertThat(n.enabled("task.success")).isFalse();
            // Glance's group is what precedes the first dot: image.member disables nothing
            assertThat(n.enabled("image.member.create")).isTrue();
        }
    }

    @Test
    void theMessageIsOslosWithPythonsTime() {
        OsloMessage m = OsloMessage.of("image.localhost", Priority.ERROR, "image.send", Map.of("bytes_sent", 3),
                Instant.parse("2026-12-02T06:13:04.114232Z"));
        assertThat(m.message()).containsOnlyKeys("message_id", "publisher_id", "event_type", "priority", "payload",
                "timestamp", "_unique_id");
        assertThat(m.message().get("timestamp")).isEqualTo("2026-12-02 06:13:04.114232");
        assertThat(m.message().get("priority")).isEqualTo("ERROR");
        assertThat(OsloMessage.pythonTime(Instant.parse("2026-12-02T06:13:04Z"))).isEqualTo("2026-12-02 06:13:04");
        assertThat(new String(m.v2(new com.fasterxml.jackson.databind.ObjectMapper())))
                .startsWith("{\"oslo.version\":\"2.0\",\"oslo.message\":\"{\\\"message_id\\\":");
    }
}
