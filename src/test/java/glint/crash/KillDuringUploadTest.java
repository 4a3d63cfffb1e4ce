package glint.crash;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.GlintProcess;
import glint.testing.S3Proxy;
import glint.testing.SwiftFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of a real Glint process in the middle of an upload: after a restart the image is back to
 * {@code queued}, takes data again, and no byte of the interrupted upload is left in the store: on disk (file store)
 * or in the bucket (s3 store, where the upload was a multipart upload with parts sent) or the container (swift store,
 * where segments were stored).
 */
class KillDuringUploadTest {
    @RegisterExtension
    final CrashDir site = new CrashDir();

    @Test
    void killDashNineMidUploadLeavesAQueuedImageAndNoData() throws Exception {
        killMidUpload("", this::files);
    }

    @Test
    void killDashNineMidUploadToS3LeavesAQueuedImageAndNoUpload() throws Exception {
        S3Proxy s3 = S3Proxy.shared();
        String bucket = s3.newBucket();
        StringBuilder config = new StringBuilder("[glance_store]\ndefault_store = s3\n");
        s3.storeOptions(bucket, "s3_store_large_object_chunk_size", "5").forEach((k, v) -> config.append(k).append(" = ").append(v).append('\n'));
        killMidUpload(config.toString(), () -> s3.storedObjects(bucket));
    }

    @Test
    void killDashNineMidUploadToSwiftLeavesAQueuedImageAndNoSegment() throws Exception {
        SwiftFixture swift = SwiftFixture.assumePresent();
        String container = swift.newContainer();
        StringBuilder config = new StringBuilder("[glance_store]\ndefault_store = swift\n");
        swift.storeOptions(container, "swift_store_large_object_chunk_size", "5", "swift_store_large_object_size", "5")
                .forEach((k, v) -> config.append(k).append(" = ").append(v).append('\n'));
        killMidUpload(config.toString(), () -> swift.objects(container));
    }

    /** Starts Glint with {@code config}, kills it once {@code stored} shows partial data of an upload, restarts it. */
    private void killMidUpload(String config, Callable<List<?>> stored) throws Exception {
        site.create("glint-crash-", config);
        GlintProcess glint = site.start();
        ApiClient admin = glint.admin();
        String id = admin.post("/v2/images", obj("name", "crash", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();

        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        try (Socket socket = new Socket("127.0.0.1", glint.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + glint.adminToken()
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (512L << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
            }
            out.flush();
            // the server has taken the upload in hand once the image says so
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((!admin.get("/v2/images/" + id).json().get("status").asText().equals("saving") || stored.call().isEmpty())
                    && System.nanoTime() < deadline) {
                out.write(chunk);
            }
            assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("saving");
            assertThat(stored.call()).as("partial data exists before the crash").isNotEmpty();
            glint.kill();
        } catch (IOException connectionDiedWithTheServer) {
            // expected when the process is gone while we write
        }
        glint.kill();

        glint = site.start();
        admin = glint.admin();
        assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
        assertThat(stored.call()).as("no data of the interrupted upload survives").isEmpty();
        byte[] data = new byte[4096];
        new Random(2).nextBytes(data);
        assertThat(admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
    }

    private List<Path> files() throws IOException {
        Path images = site.dir().resolve("images");
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(images)) {
            return s.toList();
        }
    }
}
