package glint.testing;

import glint.App;
import glint.config.ConfigLoader;
import glint.config.GlintConfig;
import glint.config.IniFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real Glint on a random port, on a fresh database of the selected kind, with its own data directory.
 * Tests talk to it with a real HTTP client ({@link ApiClient}).
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "test-admin-secret";

    private final App app;
    private final Path dataDir;
    private final String databaseUrl;

    private TestServer(App app, Path dataDir, String databaseUrl) {
        this.app = app;
        this.dataDir = dataDir;
        this.databaseUrl = databaseUrl;
    }

    /** Starts a server; {@code iniLines} are extra configuration lines (INI, as in a config file). */
    public static TestServer start(String... iniLines) {
        try {
            Path dir = Files.createTempDirectory("glint-test-");
            String url = TestDatabases.fresh(dir);
            List<String> lines = new ArrayList<>();
            lines.add("[DEFAULT]");
            lines.addAll(List.of(iniLines));
            lines.add("[database]");
            lines.add("connection = " + url);
            GlintConfig config = ConfigLoader.fromIni(IniFile.parse(lines, "test"),
                    Map.of("port", "0", "data-dir", dir.toString()),
                    Map.of("GLINT_ADMIN_PASSWORD", ADMIN_PASSWORD));
            return new TestServer(App.start(config), dir, url);
        } catch (Exception e) {
            throw new IllegalStateException("test server did not start", e);
        }
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public App app() {
        return app;
    }

    @Override
    public void close() {
        app.close();
        TestDatabases.drop(databaseUrl);
        try (Stream<Path> walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
