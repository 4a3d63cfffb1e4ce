package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.LogCapture;
import glint.testing.Poll;
import glint.testing.RabbitBroker;
import glint.testing.TcpProxy;
import glint.testing.TestServer;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ down under a running Glint, without touching the shared broker: Glint reaches it through a
 * {@link TcpProxy} that the test shuts and opens. While it is down API calls take no longer (the notifications go
 * to the bounded buffer), what overflows is dropped, logged and counted in {@code glint_notifications_dropped_total};
 * when it is back the publisher reconnects by itself and sends what it buffered, then new notifications.
 */
@DatabaseNeutral
class BrokerOutageTest {
    private static final int BUFFER = 5;
    private static final int CALLS = 20;
    private static final Pattern DROPPED = Pattern.compile(
            "glint_notifications_dropped_total\\{reason=\"buffer_full\"[^}]*} ([0-9.eE+]+)");

    @Test
    void aBrokerThatIsDownNeitherSlowsNorFailsTheApiAndIsCaughtUpWithWhenBack() throws Exception {
        String name = "glint-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (RabbitBroker broker = RabbitBroker.connect();
             TcpProxy proxy = new TcpProxy(RabbitBroker.HOST, RabbitBroker.PORT, false);
             LogCapture log = LogCapture.of("glint.notify.messaging")) {
            String queue = broker.bind(name, name + ".*");
            broker.removeAtClose(name + ".info");
            try (TestServer server = TestServer.start("control_exchange = " + name,
                    "[oslo_messaging_notifications]", "driver = messagingv2", "topics = " + name,
                    "transport_url = rabbit://guest:guest@127.0.0.1:" + proxy.port() + "/",
                    "[oslo_messaging_rabbit]", "rabbit_retry_interval = 1", "rabbit_retry_backoff = 0",
                    "[notifications]", "buffer_size = " + BUFFER,
                    "[metrics]", "enabled = true", "bind_port = 0")) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                ApiClient scraper = new ApiClient("http://127.0.0.1:" + server.app().metricsPort().orElseThrow(), null);

                long start = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    assertThat(admin.post("/v2/images", obj("name", "while-down-" + i)).status()).isEqualTo(201);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                // a call that waited for the broker would take a retry interval (1 s) at least, so 20 such calls 20 s:
                // the bound is that logical one, not a speed (a loaded 2-core machine took 2.3 s for the 20)
                assertThat(took).as("%d creates with the broker down", CALLS).isLessThan(Duration.ofSeconds(CALLS));

                // at most the buffer and one batch of its size wait; the rest was dropped, counted and logged
                double dropped = dropped(scraper);
                assertThat(dropped).isBetween((double) CALLS - 2 * BUFFER, (double) CALLS - BUFFER - 1);
                assertThat(log.at(Level.WARN)).anyMatch(l -> l.contains("notifications dropped") && l.contains("buffer_size"));
                assertThat(log.at(Level.WARN)).anyMatch(l -> l.contains("RabbitMQ at 127.0.0.1:" + proxy.port()));

                proxy.open();
                int buffered = CALLS - (int) dropped;
                var caughtUp = broker.take(queue, buffered, Duration.ofSeconds(30));
                assertThat(caughtUp).allMatch(m -> m.json().get("oslo.message").asText().contains("\"image.create\""));
                assertThat(log.at(Level.INFO)).anyMatch(l -> l.contains("connected again"));

                String id = admin.post("/v2/images", obj("name", "after")).json().get("id").asText();
                var next = broker.take(queue, 1, Duration.ofSeconds(30)).get(0);
                assertThat(next.json().get("oslo.message").asText()).contains(id);
                assertThat(dropped(scraper)).isEqualTo(dropped);

                // down again while connected: the connection is cut, the publisher reconnects
                proxy.shut();
                admin.post("/v2/images", obj("name", "cut"));
                proxy.open();
                String last = admin.post("/v2/images", obj("name", "last")).json().get("id").asText();
                Poll.until("the notification of the image created after the broker came back again", Duration.ofSeconds(30), () -> {
                    try {
                        return broker.take(queue, 1, Duration.ofSeconds(1)).get(0).json().get("oslo.message").asText()
                                .contains(last);
                    } catch (java.io.IOException | AssertionError e) {
                        return false;
                    }
                });
            }
        }
    }

    private static double dropped(ApiClient scraper) {
        Matcher m = DROPPED.matcher(scraper.get("/metrics").body());
        assertThat(m.find()).as("glint_notifications_dropped_total{reason=buffer_full}").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
