package glint.crash;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import glint.testing.ApiClient;
import glint.testing.GlintProcess;
import glint.testing.Poll;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of a real Glint process while a web-download import is in flight and another image is staged:
 * after a restart no image is left importing or uploading, the task says it failed, the import lock is gone, no
 * byte of staged or half-imported data is left, and the import can be run again.
 */
class KillDuringImportTest {
    private static final byte[] FILE = new byte[3 << 20];
    @RegisterExtension
    final CrashDir site = new CrashDir();
    private HttpServer web;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch halfSent = new CountDownLatch(1);

    @AfterEach
    void cleanUp() throws IOException {
        release.countDown();
        if (web != null) {
            web.stop(0);
        }
    }

    private void startWeb() throws IOException {
        new Random(7).nextBytes(FILE);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/stalls.img", ex -> {
            ex.sendResponseHeaders(200, FILE.length);
            OutputStream out = ex.getResponseBody();
            out.write(FILE, 0, 1 << 20);
            out.flush();
            halfSent.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        web.createContext("/whole.img", ex -> {
            ex.sendResponseHeaders(200, FILE.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(FILE);
            }
        });
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
    }

    @Test
    void killDashNineMidImportLeavesQueuedImagesAFailedTaskAndNoData() throws Exception {
        startWeb();
        String url = "http://127.0.0.1:" + web.getAddress().getPort();
        site.create("glint-crash-import-", "[import_filtering_opts]\n"
                + "allowed_hosts = [127.0.0.1]\nallowed_ports = [" + web.getAddress().getPort() + "]\n");
        GlintProcess glint = site.start();
        ApiClient admin = glint.admin();
        String importing = admin.post("/v2/images", obj("name", "a", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        String staged = admin.post("/v2/images", obj("name", "b", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        assertThat(admin.put("/v2/images/" + staged + "/stage", new byte[5000], "Content-Type", "application/octet-stream")
                .status()).isEqualTo(204);
        assertThat(admin.post("/v2/images/" + importing + "/import", obj("method", obj("name", "web-download",
                "uri", url + "/stalls.img"))).status()).isEqualTo(202);
        assertThat(halfSent.await(30, TimeUnit.SECONDS)).as("Glint is downloading").isTrue();
        assertThat(admin.get("/v2/images/" + importing).json().get("status").asText()).isEqualTo("importing");
        assertThat(admin.get("/v2/images/" + staged).json().get("status").asText()).isEqualTo("uploading");
        // the task writes what it has received into staging; wait until its file is there next to the staged one
        Poll.until(Duration.ofSeconds(30), () -> stagedFiles(), n -> n >= 2);
        assertThat(site.files("staging")).as("staged and half-downloaded data exist before the crash").isGreaterThanOrEqualTo(2);
        glint.kill();
        release.countDown();

        glint = site.start();
        admin = glint.admin();
        JsonNode a = admin.get("/v2/images/" + importing).json();
        assertThat(a.get("status").asText()).isEqualTo("queued");
        assertThat(a.has("os_glance_import_task")).isFalse();
        assertThat(a.get("size").isNull()).isTrue();
        JsonNode b = admin.get("/v2/images/" + staged).json();
        assertThat(b.get("status").asText()).as("its staged data is gone, so it can be staged again").isEqualTo("queued");
        JsonNode tasks = admin.get("/v2/images/" + importing + "/tasks").json().get("tasks");
        assertThat(tasks).hasSize(1);
        assertThat(tasks.get(0).get("status").asText()).isEqualTo("failure");
        assertThat(tasks.get(0).get("message").asText()).contains("restarted");
        assertThat(site.files("staging")).as("no staged data survives").isZero();
        assertThat(site.files("images")).isZero();

        assertThat(admin.post("/v2/images/" + importing + "/import", obj("method", obj("name", "web-download",
                "uri", url + "/whole.img"))).status()).isEqualTo(202);
        ApiClient after = admin;
        Poll.until("import after restart", Duration.ofSeconds(30),
                () -> after.get("/v2/images/" + importing).json().get("status").asText().equals("active"));
        assertThat(admin.get("/v2/images/" + importing + "/file").bytes()).isEqualTo(FILE);
        assertThat(admin.put("/v2/images/" + staged + "/stage", new byte[10], "Content-Type", "application/octet-stream")
                .status()).isEqualTo(204);
    }

    private long stagedFiles() {
        try {
            return site.files("staging");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
