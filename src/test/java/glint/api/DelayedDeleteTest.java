package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.GlintCommand;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code delayed_delete} (Glance's: glance/domain/__init__.py Image.delete, glance/location.py and store_utils'
 * schedule_delayed_delete_from_backend) and the scrubber (glance/scrubber.py) through the API and the real
 * {@code glint scrub} command, beside a running server on the same database.
 */
class DelayedDeleteTest {
    private static final String[] DELAYED = {"delayed_delete = true", "wakeup_time = 0"};

    private static String activeImage(ApiClient client, byte[] data) {
        Reply r = client.post("/v2/images", obj("name", "doomed", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(client.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        return id;
    }

    private static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Path stored(TestServer server, String id) {
        return server.dataDir().resolve("images").resolve(id);
    }

    private static GlintCommand.Result glint(TestServer server, List<String> ini, String... args) {
        return GlintCommand.run(server.dataDir(), server.databaseUrl(), ini, args);
    }

    private static int scrubbed(GlintCommand.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher m = Pattern.compile("Scrubbed (\\d+) image\\(s\\)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aDeletedImageIsGoneFromTheApiAtOnceButKeepsItsDataUntilScrubbed() {
        try (TestServer server = TestServer.start(DELAYED)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = activeImage(admin, data(4096, 1));
            assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);

            // Glance: ImageRepo.get raises NotFound for a deleted image, pending_delete included, even for admins
            assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(404);
            assertThat(admin.get("/v2/images/" + id + "/file").status()).isEqualTo(404);
            assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(404);
            assertThat(admin.get("/v2/images").body()).doesNotContain(id);
            assertThat(admin.post("/v2/images", obj("id", id, "name", "again")).status())
                    .as("the id stays taken").isEqualTo(409);
            assertThat(stored(server, id)).as("the data waits for the scrubber").exists();
            assertThat(server.rows("pending_data")).isZero();

            assertThat(scrubbed(glint(server, List.of("scrub_time = 3600"), "scrub"))).as("scrub_time not passed").isZero();
            assertThat(stored(server, id)).exists();

            assertThat(scrubbed(glint(server, List.of(), "scrub"))).isEqualTo(1);
            assertThat(stored(server, id)).doesNotExist();
            assertThat(server.rows("pending_data")).isZero();
            assertThat(scrubbed(glint(server, List.of(), "scrub"))).as("nothing left").isZero();
            assertThat(admin.post("/v2/images", obj("id", id, "name", "again")).status()).isEqualTo(409);
        }
    }

    @Test
    void theDeleteNotificationCarriesPendingDeleteAsGlancesDoes() throws Exception {
        String name = "glint-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (glint.testing.RabbitBroker broker = glint.testing.RabbitBroker.connect()) {
            String queue = broker.bind(name, name + ".info");
            broker.removeAtClose(name + ".info");
            try (TestServer server = TestServer.start("delayed_delete = true", "wakeup_time = 0", "control_exchange = " + name,
                    "[oslo_messaging_notifications]", "driver = messagingv2", "topics = " + name,
                    "transport_url = " + glint.testing.RabbitBroker.URL)) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                String delayed = activeImage(admin, data(100, 5));
                String empty = admin.post("/v2/images", obj("name", "empty")).json().get("id").asText();
                assertThat(admin.delete("/v2/images/" + delayed).status()).isEqualTo(204);
                assertThat(admin.delete("/v2/images/" + empty).status()).isEqualTo(204);
                List<com.fasterxml.jackson.databind.JsonNode> deletes = new ArrayList<>();
                // create, update (saving), prepare, upload, activate, update (active), create, delete, delete
                for (glint.testing.RabbitBroker.Received m : broker.take(queue, 9, Duration.ofSeconds(30))) {
                    var message = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.json().get("oslo.message").asText());
                    if (message.get("event_type").asText().equals("image.delete")) {
                        deletes.add(message.get("payload"));
                    }
                }
                assertThat(deletes).hasSize(2);
                assertThat(deletes.get(0).get("id").asText()).isEqualTo(delayed);
                assertThat(deletes.get(0).get("status").asText()).isEqualTo("pending_delete");
                assertThat(deletes.get(0).get("deleted").asBoolean()).isTrue();
                assertThat(deletes.get(1).get("id").asText()).isEqualTo(empty);
                assertThat(deletes.get(1).get("status").asText()).isEqualTo("deleted");
            }
        }
    }

    @Test
    void imagesWithoutDataAndDeactivatedImagesAreDeletedAtOnce() {
        try (TestServer server = TestServer.start(DELAYED)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String queued = admin.post("/v2/images", obj("name", "empty")).json().get("id").asText();
            String deactivated = activeImage(admin, data(100, 2));
            assertThat(admin.post("/v2/images/" + deactivated + "/actions/deactivate", obj()).status()).isEqualTo(204);
            assertThat(admin.delete("/v2/images/" + queued).status()).isEqualTo(204);
            assertThat(admin.delete("/v2/images/" + deactivated).status()).isEqualTo(204);
            assertThat(stored(server, deactivated)).doesNotExist();
            assertThat(scrubbed(glint(server, List.of(), "scrub"))).isZero();
        }
    }

    @Test
    void restoreBringsAPendingDeleteImageBackWithItsDataAndMetadata() {
        try (TestServer server = TestServer.start(DELAYED)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] bytes = data(10_000, 3);
            String id = activeImage(admin, bytes);
            assertThat(admin.put("/v2/images/" + id + "/tags/keep", new byte[0]).status()).isEqualTo(204);
            assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);

            GlintCommand.Result restored = glint(server, List.of(), "scrub", "--restore", id);
            assertThat(restored.exit()).as(restored.err()).isZero();
            Reply image = admin.get("/v2/images/" + id);
            assertThat(image.status()).isEqualTo(200);
            assertThat(image.json().get("status").asText()).isEqualTo("active");
            assertThat(image.json().get("tags").get(0).asText()).isEqualTo("keep");
            assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(bytes);

            GlintCommand.Result again = glint(server, List.of(), "scrub", "--restore", id);
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("is not in pending_delete status");
            assertThat(scrubbed(glint(server, List.of(), "scrub"))).as("restored: nothing to scrub").isZero();
            assertThat(stored(server, id)).exists();
        }
    }

    @Test
    void thePeriodicScrubberRemovesTheDataOnceScrubTimeHasPassed() {
        try (TestServer server = TestServer.start("delayed_delete = true", "wakeup_time = 1", "scrub_time = 1")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = activeImage(admin, data(2048, 4));
            assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);
            assertThat(stored(server, id)).exists();
            // the scrubber deletes the blob, then its journal row: both are waited for
            Poll.until("the scrubber removed the data and its journal row", Duration.ofSeconds(30),
                    () -> !Files.exists(stored(server, id)) && server.rows("pending_data") == 0);
            assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void scrubbersRunningTogetherScrubEachImageOnce() throws Exception {
        try (TestServer server = TestServer.start(DELAYED)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                ids.add(activeImage(admin, data(1000 + i, 10 + i)));
            }
            for (String id : ids) {
                assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);
            }
            // two scrubbers and a server of the same deployment, each claiming with a compare-and-set on the status
            List<CompletableFuture<GlintCommand.Result>> runs = List.of(
                    CompletableFuture.supplyAsync(() -> glint(server, List.of("scrub_pool_size = 3"), "scrub")),
                    CompletableFuture.supplyAsync(() -> glint(server, List.of("scrub_pool_size = 3"), "scrub")));
            int total = 0;
            for (CompletableFuture<GlintCommand.Result> run : runs) {
                total += scrubbed(run.get());
            }
            assertThat(total).isEqualTo(ids.size());
            for (String id : ids) {
                assertThat(stored(server, id)).doesNotExist();
            }
            assertThat(server.rows("pending_data")).isZero();
        }
    }
}
