package glint.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Glint as a real child process ({@code glint.Main serve}) on a free loopback port, for tests that kill it: started
 * with the test class path, a data dir and {@code DIR/glint.conf}, its output in {@code DIR/glint-<n>.log}.
 */
public final class GlintProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String adminPassword;

    private GlintProcess(Process process, int port, String adminPassword) {
        this.process = process;
        this.port = port;
        this.adminPassword = adminPassword;
    }

    /** Starts Glint on {@code dir} and waits (60 s at most) until it answers {@code GET /versions}. */
    public static GlintProcess start(Path dir, String adminPassword) throws IOException {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), "glint.Main", "serve",
                "--port", Integer.toString(port), "--data-dir", dir.toString(), "--config", dir.resolve("glint.conf").toString());
        pb.environment().put("GLINT_ADMIN_PASSWORD", adminPassword);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("glint-" + System.nanoTime() + ".log").toFile());
        GlintProcess glint = new GlintProcess(pb.start(), port, adminPassword);
        ApiClient anonymous = new ApiClient(glint.baseUrl(), null);
        boolean up = Poll.until(Duration.ofSeconds(60), () -> {
            if (!glint.process.isAlive()) {
                return null; // died: stop polling
            }
            try {
                return anonymous.get("/versions").status() == 200;
            } catch (IllegalStateException notYet) {
                return false; // connection refused while the process starts
            }
        }, answer -> answer == null || answer) == Boolean.TRUE;
        if (up) {
            return glint;
        }
        glint.close();
        throw new AssertionError("Glint did not start (see the glint-*.log in " + dir + ")");
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A project-scoped token of the bootstrap admin. */
    public String adminToken() {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"admin\","
                + "\"domain\":{\"name\":\"Default\"},\"password\":\"" + adminPassword + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}";
        return new ApiClient(baseUrl(), null).post("/identity/v3/auth/tokens", body).header("X-Subject-Token").orElseThrow();
    }

    public ApiClient admin() {
        return new ApiClient(baseUrl(), adminToken());
    }

    /** {@code kill -9}, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
