package glint.crash;

import glint.testing.GlintProcess;
import glint.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The data directory and fresh database of a Glint process that a test kills ({@link GlintProcess}), with its
 * {@code glint.conf}. Registered as an extension ({@code @RegisterExtension final CrashDir site = new CrashDir()}),
 * it stops the process and drops both after each test.
 */
final class CrashDir implements AfterEachCallback {
    static final String PASSWORD = "crash-secret";
    private Path dir;
    private String dbUrl;
    private GlintProcess glint;

    /** A new directory and database; {@code glint.conf} names the database, then has {@code config} lines. */
    CrashDir create(String prefix, String config) throws IOException {
        return create(prefix, dir -> config);
    }

    /** As {@link #create(String, String)}, the config lines made from the new directory. */
    CrashDir create(String prefix, java.util.function.Function<Path, String> config) throws IOException {
        dir = Files.createTempDirectory(prefix);
        dbUrl = TestDatabases.fresh(dir);
        Files.writeString(dir.resolve("glint.conf"), "[database]\nconnection = " + dbUrl + "\n" + config.apply(dir));
        return this;
    }

    Path dir() {
        return dir;
    }

    /** Starts Glint on this directory (again, after a kill). */
    GlintProcess start() throws IOException {
        glint = GlintProcess.start(dir, PASSWORD);
        return glint;
    }

    /** Regular files under {@code DIR/sub}. */
    long files(String sub) throws IOException {
        Path d = dir.resolve(sub);
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (glint != null) {
            glint.close();
        }
        if (dir == null) {
            return;
        }
        if (context.getExecutionException().isPresent()) { // the server's logs outlive a failure, for its reader
            Path keep = Path.of("target", "crash-logs", context.getRequiredTestMethod().getName());
            Files.createDirectories(keep);
            try (Stream<Path> logs = Files.list(dir)) {
                for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                    Files.copy(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        TestDatabases.drop(dbUrl);
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
