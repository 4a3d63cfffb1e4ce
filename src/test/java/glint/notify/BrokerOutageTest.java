package glint.notify;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.LogCapture;
import glint.testing.MetricsScraper;
import glint.testing.Poll;
import glint.testing.RabbitBroker;
import glint.testing.TcpProxy;
import glint.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ down under a running Glint, without touching the shared broker: Glint reaches it through a
 * {@link TcpProxy} that the test shuts and opens. While it is down API calls take no longer (the notifications go
 * to the bounded buffer), what overflows is dropped, logged and counted in {@code glint_notifications_dropped_total};
 * when it is back the publisher reconnects by itself and sends what it buffered, then new notifications. The same
 * with a broker that takes the connection and never answers ({@link TcpProxy#stall}); and with
 * {@code [oslo_messaging_notifications] retry}, a batch whose retries ran out is dropped, counted
 * ({@code reason="retries_exhausted"}) and logged.
 */
@DatabaseNeutral
class BrokerOutageTest {
    private static final int BUFFER = 5;
    private static final int CALLS = 20;

    /** The proxy's URL: the broker as Glint sees it. */
    private static String through(TcpProxy proxy) {
        return "rabbit://guest:guest@127.0.0.1:" + proxy.port() + "/";
    }

    /** A Glint publishing on {@code topic} through the proxy, retrying every second, with a metrics listener. */
    private static TestServer publishingThrough(TcpProxy proxy, String topic, String... more) {
        String[] lines = RabbitBroker.publishing(topic, "messagingv2", through(proxy), "[oslo_messaging_rabbit]",
                "rabbit_retry_interval = 1", "rabbit_retry_backoff = 0", "[notifications]", "buffer_size = " + BUFFER,
                "[metrics]", "enabled = true", "bind_port = 0");
        return TestServer.start(Stream.concat(Arrays.stream(lines), Arrays.stream(more)).toArray(String[]::new));
    }

    @Test
    void aBrokerThatIsDownNeitherSlowsNorFailsTheApiAndIsCaughtUpWithWhenBack() throws Exception {
        try (RabbitBroker broker = RabbitBroker.connect();
             TcpProxy proxy = new TcpProxy(RabbitBroker.HOST, RabbitBroker.PORT, false);
             LogCapture log = LogCapture.of("glint.notify.messaging")) {
            String name = broker.ownTopic();
            String queue = broker.bind(name, name + ".*");
            try (TestServer server = publishingThrough(proxy, name)) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                MetricsScraper scraper = new MetricsScraper(server);

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
                    } catch (IOException | AssertionError e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void aStalledBrokerDoesNotSlowTheApiAndGetsWhatWasBufferedOnceItAnswers() throws Exception {
        try (RabbitBroker broker = RabbitBroker.connect();
             TcpProxy proxy = new TcpProxy(RabbitBroker.HOST, RabbitBroker.PORT, false)) {
            proxy.stall(); // connections are taken and never answered: the AMQP handshake hangs
            String name = broker.ownTopic();
            String queue = broker.bind(name, name + ".*");
            try (TestServer server = publishingThrough(proxy, name)) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                long start = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    assertThat(admin.post("/v2/images", obj("name", "while-stalled-" + i)).status()).isEqualTo(201);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                Poll.until("the publisher reached the stalled broker", Duration.ofSeconds(10), () -> proxy.turnedAway() > 0);
                // a call that waited for the broker would wait out the handshake timeout (5 s) at least: a logical
                // bound, not a speed
                assertThat(took).as("%d creates with the broker stalled", CALLS).isLessThan(Duration.ofSeconds(5L * CALLS));
                double dropped = dropped(new MetricsScraper(server));
                assertThat(dropped).isBetween((double) CALLS - 2 * BUFFER, (double) CALLS - BUFFER - 1);

                proxy.open(); // the hung handshake times out, the publisher connects again and sends what it holds
                var caughtUp = broker.take(queue, CALLS - (int) dropped, Duration.ofSeconds(60));
                assertThat(caughtUp).allMatch(m -> m.json().get("oslo.message").asText().contains("while-stalled-"));
                String id = admin.post("/v2/images", obj("name", "after")).json().get("id").asText();
                assertThat(nextMessage(broker, queue)).contains(id);
            }
        }
    }

    @Test
    void whenRetryRunsOutTheNotificationsAreDroppedCountedAndLogged() throws Exception {
        try (RabbitBroker broker = RabbitBroker.connect();
             TcpProxy proxy = new TcpProxy(RabbitBroker.HOST, RabbitBroker.PORT, false);
             LogCapture log = LogCapture.of("glint.notify.messaging")) {
            String name = broker.ownTopic();
            String queue = broker.bind(name, name + ".*");
            try (TestServer server = publishingThrough(proxy, name, "[oslo_messaging_notifications]", "retry = 1")) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                MetricsScraper scraper = new MetricsScraper(server);
                for (int i = 0; i < 3; i++) {
                    assertThat(admin.post("/v2/images", obj("name", "given-up-" + i)).status()).isEqualTo(201);
                }
                // each batch is tried twice (retry = 1), a second apart, then dropped
                Poll.until("3 notifications dropped after their retry", Duration.ofSeconds(30),
                        () -> dropped(scraper, "retries_exhausted") == 3);
                assertThat(dropped(scraper, "buffer_full")).isZero();
                assertThat(log.at(Level.WARN)).anyMatch(l -> l.contains("notifications dropped")
                        && l.contains("[oslo_messaging_notifications] retry attempts ran out"));

                proxy.open();
                String id = admin.post("/v2/images", obj("name", "after")).json().get("id").asText();
                String next = nextMessage(broker, queue);
                assertThat(next).as("the dropped ones never come").contains(id).doesNotContain("given-up-");
                assertThat(dropped(scraper, "retries_exhausted")).isEqualTo(3);
            }
        }
    }

    private static double dropped(MetricsScraper scraper) {
        return dropped(scraper, "buffer_full");
    }

    private static double dropped(MetricsScraper scraper, String reason) {
        return scraper.sum("glint_notifications_dropped_total", "reason", reason);
    }

    /** The {@code oslo.message} (JSON text) of the next message of {@code queue}. */
    private static String nextMessage(RabbitBroker broker, String queue) throws IOException {
        return broker.take(queue, 1, Duration.ofSeconds(30)).get(0).json().get("oslo.message").asText();
    }
}
