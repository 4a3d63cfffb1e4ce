package glint.crash;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a real Glint process in the middle of an upload: after a restart the image is back to
 * {@code queued}, takes data again, and no byte of the interrupted upload is left on disk.
 */
class KillDuringUploadTest {
    private static final String PASSWORD = "crash-secret";
    private Path dir;
    private String dbUrl;
    private Process glint;

    @AfterEach
    void cleanUp() throws IOException {
        if (glint != null) {
            glint.destroyForcibly();
        }
        TestDatabases.drop(dbUrl);
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int start(int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), "glint.Main", "serve",
                "--port", Integer.toString(port), "--data-dir", dir.toString(), "--config", dir.resolve("glint.conf").toString());
        pb.environment().put("GLINT_ADMIN_PASSWORD", PASSWORD);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("glint-" + System.nanoTime() + ".log").toFile());
        glint = pb.start();
        ApiClient anonymous = new ApiClient("http://127.0.0.1:" + port, null);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (anonymous.get("/versions").status() == 200) {
                    return port;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while the process starts: poll again until the deadline
            }
            if (!glint.isAlive()) {
                break;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("Glint did not start");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String token(int port) {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"admin\","
                + "\"domain\":{\"name\":\"Default\"},\"password\":\"" + PASSWORD + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}";
        return new ApiClient("http://127.0.0.1:" + port, null).post("/identity/v3/auth/tokens", body)
                .header("X-Subject-Token").orElseThrow();
    }

    @Test
    void killDashNineMidUploadLeavesAQueuedImageAndNoData() throws Exception {
        dir = Files.createTempDirectory("glint-crash-");
        dbUrl = TestDatabases.fresh(dir);
        Files.writeString(dir.resolve("glint.conf"), "[database]\nconnection = " + dbUrl + "\n");
        int port = start(freePort());
        ApiClient admin = new ApiClient("http://127.0.0.1:" + port, token(port));
        String id = admin.post("/v2/images", obj("name", "crash", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();

        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + token(port)
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (512L << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
            }
            out.flush();
            // the server has taken the upload in hand once the image says so
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!admin.get("/v2/images/" + id).json().get("status").asText().equals("saving") && System.nanoTime() < deadline) {
                out.write(chunk);
            }
            assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("saving");
            assertThat(files()).as("partial data exists before the crash").isNotEmpty();
            glint.destroyForcibly().waitFor();
        } catch (IOException connectionDiedWithTheServer) {
            // expected when the process is gone while we write
        }
        glint.waitFor();

        port = start(freePort());
        admin = new ApiClient("http://127.0.0.1:" + port, token(port));
        assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
        assertThat(files()).as("no data of the interrupted upload survives").isEmpty();
        byte[] data = new byte[4096];
        new Random(2).nextBytes(data);
        assertThat(admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream").status()).isEqualTo(204);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
    }

    private List<Path> files() throws IOException {
        Path images = dir.resolve("images");
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(images)) {
            return s.toList();
        }
    }
}
