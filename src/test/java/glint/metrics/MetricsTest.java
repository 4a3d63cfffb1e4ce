package glint.metrics;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.PrometheusText;
import glint.testing.RabbitBroker;
import glint.testing.RawHttp;
import glint.testing.TestBytes;
import glint.testing.TestServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code [metrics]}: scraped from their own listener as Prometheus would, and parsed by Prometheus's own client
 * parser: the counters move with the requests that should move them, the gauges show uploads and import tasks while
 * they are under way, and routes are templates, never paths. Skipped without the parser (python3-prometheus-client).
 */
@DatabaseNeutral
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {
    private static final int SIZE = 300_000;
    private static final String FILE = "/v2/images/{image_id}/file";

    private TestServer server;
    private ApiClient admin;
    private ApiClient scraper;

    @BeforeAll
    void start() {
        PrometheusText.assumeParser();
        server = TestServer.start("[metrics]", "enabled = true", "bind_port = 0",
                "[paste_deploy]", "flavor = keystone+cachemanagement");
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        scraper = scraper(server);
    }

    @AfterAll
    void stop() {
        if (server != null) { // null when skipped
            server.close();
        }
    }

    private PrometheusText scrape() {
        return scrape(scraper);
    }

    private static PrometheusText scrape(ApiClient scraper) {
        Reply r = scraper.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(r.body());
    }

    /** The sum of the samples named {@code name} with {@code labels}; 0 when there is none yet. */
    private static double sum(PrometheusText metrics, String name, String... labels) {
        return metrics.find(name, labels).stream().mapToDouble(PrometheusText.Sample::value).sum();
    }

    /** Scrapes until {@code done} holds: the server counts a response after the client may have read all of it. */
    private PrometheusText scrapeUntil(Predicate<PrometheusText> done) {
        return scrapeUntil(scraper, done);
    }

    private static PrometheusText scrapeUntil(ApiClient scraper, Predicate<PrometheusText> done) {
        return Poll.until(Duration.ofSeconds(30), () -> scrape(scraper), done);
    }

    private static ApiClient scraper(TestServer server) {
        return new ApiClient("http://127.0.0.1:" + server.app().metricsPort().orElseThrow(), null);
    }

    private String activeImage(byte[] data) {
        Reply created = admin.post("/v2/images", obj("name", "m", "disk_format", "raw", "container_format", "bare"));
        String id = created.json().get("id").asText();
        Reply put = admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
        assertThat(put.status()).as(put.body()).isEqualTo(204);
        return id;
    }

    @Test
    void uploadsAndDownloadsMoveTheByteCountersAndTheRequestHistogramByRouteTemplate() {
        PrometheusText before = scrape();
        byte[] data = TestBytes.bytes(7, SIZE);
        String id = activeImage(data);
        assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);

        PrometheusText after = scrapeUntil(m -> sum(m, "glint_http_requests_seconds_count", "method", "GET", "route", FILE)
                > sum(before, "glint_http_requests_seconds_count", "method", "GET", "route", FILE));
        assertThat(sum(after, "glint_image_data_received_bytes_total", "operation", "upload")
                - sum(before, "glint_image_data_received_bytes_total", "operation", "upload")).isEqualTo(SIZE);
        assertThat(sum(after, "glint_image_data_sent_bytes_total") - sum(before, "glint_image_data_sent_bytes_total"))
                .isEqualTo(SIZE);
        assertThat(after.value("glint_image_uploads_in_flight", "operation", "upload")).isZero();
        assertThat(sum(after, "glint_http_requests_seconds_count", "method", "PUT", "route", FILE, "status", "204")
                - sum(before, "glint_http_requests_seconds_count", "method", "PUT", "route", FILE, "status", "204")).isEqualTo(1);
        assertThat(sum(after, "glint_http_requests_seconds_count", "method", "GET", "route", "/v2/images/{image_id}",
                "status", "200")).isPositive();
        assertThat(after.value("glint_http_requests_seconds_bucket", "method", "PUT", "route", FILE, "status", "204",
                "le", "+Inf")).isPositive();
        assertThat(after.find("glint_http_requests_seconds_bucket", "method", "PUT", "route", FILE, "status", "204"))
                .as("fixed buckets, from 5 ms to 10 min").hasSize(16);
        assertThat(after.samples()).filteredOn(s -> s.labels().containsKey("route"))
                .allSatisfy(s -> assertThat(s.labels().get("route")).doesNotContain(id)
                        .matches("unmatched|/.*"));
    }

    @Test
    void anUploadIsInFlightWhileItsBodyIsBeingReceived() throws Exception {
        String id = admin.post("/v2/images", obj("name", "slow", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        byte[] data = TestBytes.bytes(11, SIZE);
        try (RawHttp upload = new RawHttp(server.port())) {
            upload.head("PUT", "/v2/images/" + id + "/file", "X-Auth-Token: " + admin.token(),
                    "Content-Type: application/octet-stream", "Content-Length: " + SIZE);
            upload.send(java.util.Arrays.copyOf(data, 1000)); // the rest is held back: the upload stays open
            PrometheusText during = scrapeUntil(m -> m.value("glint_image_uploads_in_flight", "operation", "upload") > 0);
            assertThat(during.value("glint_image_uploads_in_flight", "operation", "upload")).isEqualTo(1);
            assertThat(during.value("glint_image_uploads_in_flight", "operation", "stage")).isZero();

            upload.send(java.util.Arrays.copyOfRange(data, 1000, SIZE));
            assertThat(upload.readHead().status()).isEqualTo(204);
        }
        PrometheusText after = scrapeUntil(m -> m.value("glint_image_uploads_in_flight", "operation", "upload") == 0);
        assertThat(after.value("glint_image_uploads_in_flight", "operation", "upload")).isZero();
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
    }

    @Test
    void notificationsTheBrokerConfirmedAreCounted() throws Exception {
        try (RabbitBroker broker = RabbitBroker.connect()) {
            String topic = broker.ownTopic();
            String queue = broker.bind(topic, topic + ".*");
            try (TestServer publishing = TestServer.start(RabbitBroker.publishing(topic, "messagingv2", RabbitBroker.URL,
                    "[metrics]", "enabled = true", "bind_port = 0"))) {
                ApiClient own = scraper(publishing);
                assertThat(scrape(own).value("glint_notifications_sent_total")).isZero();
                ApiClient client = new ApiClient(publishing.baseUrl(), publishing.adminToken());
                client.post("/v2/images", obj("name", "n1"));
                client.post("/v2/images", obj("name", "n2"));
                assertThat(broker.take(queue, 2, Duration.ofSeconds(30))).hasSize(2);
                // counted once the broker's confirm is in, which may come after the consumer has the message
                PrometheusText m = scrapeUntil(own, t -> t.value("glint_notifications_sent_total") >= 2);
                assertThat(m.value("glint_notifications_sent_total")).isEqualTo(2);
                assertThat(m.value("glint_notifications_buffered")).isZero();
                assertThat(m.find("glint_notifications_dropped_total")).extracting(PrometheusText.Sample::value)
                        .containsOnly(0.0);
            }
        }
    }

    @Test
    void importTasksRunningAndWaitingForAWorkerAreCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/held", ex -> {
            // the head and a first part, then the rest once the test has seen the tasks
            ex.sendResponseHeaders(200, 2048);
            ex.getResponseBody().write(new byte[1024]);
            ex.getResponseBody().flush();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.getResponseBody().write(new byte[1024]);
            ex.close();
        });
        ExecutorService handlers = Executors.newCachedThreadPool();
        web.setExecutor(handlers);
        web.start();
        try (TestServer one = TestServer.start("[wsgi]", "task_pool_threads = 1", "[import_filtering_opts]",
                "allowed_hosts = [127.0.0.1]", "allowed_ports = [" + web.getAddress().getPort() + "]",
                "[metrics]", "enabled = true", "bind_port = 0")) {
            ApiClient client = new ApiClient(one.baseUrl(), one.adminToken());
            ApiClient own = scraper(one);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String id = client.post("/v2/images", obj("name", "held-" + i, "disk_format", "raw",
                        "container_format", "bare")).json().get("id").asText();
                Reply started = client.post("/v2/images/" + id + "/import", obj("method", obj("name", "web-download",
                        "uri", "http://127.0.0.1:" + web.getAddress().getPort() + "/held")));
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                ids.add(id);
            }
            // one worker: the first task holds it while its download waits, the second waits for it
            PrometheusText busy = scrapeUntil(own, m -> m.value("glint_import_tasks_running") == 1
                    && m.value("glint_import_tasks_queued") == 1);
            assertThat(busy.value("glint_import_tasks_running")).isEqualTo(1);
            assertThat(busy.value("glint_import_tasks_queued")).isEqualTo(1);

            release.countDown();
            for (String id : ids) {
                Poll.until("image " + id + " imported", Duration.ofSeconds(60),
                        () -> client.get("/v2/images/" + id).json().get("status").asText().equals("active"));
            }
            PrometheusText idle = scrapeUntil(own, m -> m.value("glint_import_tasks_running") == 0);
            assertThat(idle.value("glint_import_tasks_running")).isZero();
            assertThat(idle.value("glint_import_tasks_queued")).isZero();
        } finally {
            release.countDown();
            web.stop(0);
            handlers.shutdownNow();
        }
    }

    @Test
    void stagedDataCountsAsReceived() {
        PrometheusText before = scrape();
        String id = admin.post("/v2/images", obj("name", "s", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        Reply staged = admin.put("/v2/images/" + id + "/stage", TestBytes.bytes(3, SIZE), "Content-Type",
                "application/octet-stream");
        assertThat(staged.status()).as(staged.body()).isEqualTo(204);
        PrometheusText after = scrape();
        assertThat(sum(after, "glint_image_data_received_bytes_total", "operation", "stage")
                - sum(before, "glint_image_data_received_bytes_total", "operation", "stage")).isEqualTo(SIZE);
        assertThat(after.value("glint_image_uploads_in_flight", "operation", "stage")).isZero();
    }

    @Test
    void aBlobMissingFromTheStoreIsAStoreErrorOfKindNotFound() throws Exception {
        String id = activeImage(TestBytes.bytes(5, 1000));
        PrometheusText before = scrape();
        Files.delete(server.dataDir().resolve("images").resolve(id));
        assertThat(admin.get("/v2/images/" + id + "/file").status()).isEqualTo(204);
        PrometheusText after = scrape();
        String[] labels = {"store", "file", "operation", "read", "kind", "not_found"};
        assertThat(sum(after, "glint_store_errors_total", labels) - sum(before, "glint_store_errors_total", labels))
                .isEqualTo(1);
    }

    @Test
    void downloadsServedFromTheCacheAreHitsTheOthersMisses() {
        byte[] data = TestBytes.bytes(9, SIZE);
        String cached = activeImage(data);
        String uncached = activeImage(TestBytes.bytes(10, 100));
        assertThat(admin.put("/v2/cache/" + cached, new byte[0]).status()).isEqualTo(202);
        JsonNode state = Poll.until(Duration.ofSeconds(30), () -> admin.get("/v2/cache").json(),
                s -> s.get("cached_images").toString().contains(cached));
        assertThat(state.get("cached_images").toString()).contains(cached);
        PrometheusText before = scrape();
        assertThat(admin.get("/v2/images/" + cached + "/file").bytes()).isEqualTo(data);
        assertThat(admin.get("/v2/images/" + uncached + "/file").status()).isEqualTo(200);
        PrometheusText after = scrape();
        assertThat(sum(after, "glint_cache_gets_total", "result", "hit") - sum(before, "glint_cache_gets_total", "result", "hit"))
                .isEqualTo(1);
        assertThat(sum(after, "glint_cache_gets_total", "result", "miss") - sum(before, "glint_cache_gets_total", "result", "miss"))
                .isEqualTo(1);
        assertThat(after.value("glint_cache_size_bytes")).isGreaterThanOrEqualTo(SIZE);
        assertThat(after.value("glint_cache_entries")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theJvmTheConnectionPoolTheImportTasksAndTheDatabaseErrorsAreThere() {
        PrometheusText m = scrape();
        assertThat(m.find("jvm_memory_used_bytes", "area", "heap")).isNotEmpty();
        assertThat(m.value("jvm_threads_live_threads")).isPositive();
        assertThat(m.find("jvm_classes_loaded_classes")).isNotEmpty();
        assertThat(m.find("jvm_gc_memory_allocated_bytes_total")).isNotEmpty();
        assertThat(m.value("process_uptime_seconds")).isPositive();
        assertThat(m.find("hikaricp_connections_active", "pool", "glint-db")).hasSize(1);
        assertThat(m.value("glint_import_tasks_queued")).isZero();
        assertThat(m.value("glint_import_tasks_running")).isZero();
        assertThat(m.value("glint_database_errors_total", "kind", "unreachable")).isZero();
        assertThat(m.samples()).filteredOn(s -> s.name().startsWith("glint_")).extracting(PrometheusText.Sample::type)
                .doesNotContain("unknown");
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        Reply r = scraper.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(r.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(PrometheusText.parseOpenMetrics(r.body()).find("glint_image_data_sent_bytes_total")).hasSize(1);
    }

    @Test
    void onlyTheMetricsListenerServesThem() {
        assertThat(new ApiClient(server.baseUrl(), null).get("/metrics").status()).isEqualTo(404);
        assertThat(admin.get("/metrics").status()).isEqualTo(404);
        assertThat(scraper.get("/").status()).isEqualTo(404);
        assertThat(scraper.send("POST", "/metrics", new byte[0]).status()).isEqualTo(405);
    }

    @Test
    void offByDefault() {
        try (TestServer plain = TestServer.start()) {
            assertThat(plain.app().metricsPort()).isEmpty();
        }
    }
}
