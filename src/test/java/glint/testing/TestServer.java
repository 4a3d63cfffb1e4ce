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
import java.util.List;
import java.util.Map;

/**
 * The real Glint on a random port, on a fresh database of the selected kind, with its own data directory.
 * Tests talk to it with a real HTTP client ({@link ApiClient}).
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "test-admin-secret";

    private final App app;
    private final Path dataDir;
    private final String databaseUrl;
    private final boolean ownsDatabase;

    private TestServer(App app, Path dataDir, String databaseUrl, boolean ownsDatabase) {
        this.app = app;
        this.dataDir = dataDir;
        this.databaseUrl = databaseUrl;
        this.ownsDatabase = ownsDatabase;
    }

    /** Starts a server; {@code iniLines} are extra configuration lines (INI, as in a config file). */
    public static TestServer start(String... iniLines) {
        return start(Map.of("GLINT_ADMIN_PASSWORD", ADMIN_PASSWORD), iniLines);
    }

    /** Starts a server with these environment variables instead of the default {@code GLINT_ADMIN_PASSWORD}. */
    public static TestServer start(Map<String, String> env, String... iniLines) {
        Path dir = tempDir();
        return start(TestDatabases.fresh(dir), true, dir, env, iniLines);
    }

    /** Starts a server on a database the caller owns (and drops): {@code url} is its JDBC URL. */
    public static TestServer startOn(String url, String... iniLines) {
        return start(url, false, tempDir(), Map.of("GLINT_ADMIN_PASSWORD", ADMIN_PASSWORD), iniLines);
    }

    /**
     * Starts another node of this server's deployment: a second server on the same database, with its own data
     * directory (and its own in-memory caches). Closing it leaves the database to this server.
     */
    public TestServer startPeer(String... iniLines) {
        return start(databaseUrl, false, tempDir(), Map.of("GLINT_ADMIN_PASSWORD", ADMIN_PASSWORD), iniLines);
    }

    private static TestServer start(String url, boolean ownsDatabase, Path dir, Map<String, String> env, String... iniLines) {
        try {
            List<String> lines = new ArrayList<>();
            lines.add("[identity]");
            lines.add("password_hash_rounds = 1000"); // logins in milliseconds; PasswordHasherTest covers the default
            lines.add("[DEFAULT]");
            lines.addAll(List.of(iniLines));
            lines.add("[database]");
            lines.add("connection = " + url);
            GlintConfig config = ConfigLoader.fromIni(IniFile.parse(lines, "test"),
                    Map.of("port", "0", "data-dir", dir.toString()), env);
            return new TestServer(App.start(config), dir, url, ownsDatabase);
        } catch (Exception e) {
            IllegalStateException failed = new IllegalStateException("test server did not start", e);
            try {
                removeOwned(url, ownsDatabase, dir); // tests of refused configurations leave nothing behind either
            } catch (RuntimeException cleanup) {
                failed.addSuppressed(cleanup);
            }
            throw failed;
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("glint-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** The JDBC URL of this server's database (for a command run beside it: {@link GlintCommand}). */
    public String databaseUrl() {
        return databaseUrl;
    }

    public App app() {
        return app;
    }

    /** The number of rows in {@code table} of this server's database (e.g. {@code pending_data}: data still to remove). */
    public long rows(String table) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(databaseUrl);
             java.sql.ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The number of rows in {@code table} whose {@code column} is {@code value} (e.g. an image's journal rows). */
    public long rows(String table, String column, String value) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(databaseUrl);
             java.sql.PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ?")) {
            s.setString(1, value);
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A project-scoped token of the bootstrap admin, through the real identity API. */
    public String adminToken() {
        return passwordToken("admin", ADMIN_PASSWORD, "admin");
    }

    /**
     * A token of {@code user} scoped to {@code project} with {@code role} there; the project and user are created
     * (through the identity service) when missing.
     */
    public String tokenFor(String project, String user, String role) {
        var identity = app.identity();
        var p = identity.ensureProject(project);
        var u = identity.ensureUser(user, user + "-secret", java.util.Optional.of(p.id()));
        identity.assignProjectRole(u.id(), p.id(), role);
        return passwordToken(user, user + "-secret", project);
    }

    /** The id of a project (creating it when missing). */
    public String projectId(String project) {
        return app.identity().ensureProject(project).id();
    }

    public String passwordToken(String user, String password, String project) {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"" + user
                + "\",\"domain\":{\"name\":\"Default\"},\"password\":\"" + password + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"" + project + "\",\"domain\":{\"name\":\"Default\"}}}}}";
        ApiClient.Reply reply = new ApiClient(baseUrl(), null).post("/identity/v3/auth/tokens", body);
        if (reply.status() != 201) {
            throw new IllegalStateException("login of " + user + " failed: " + reply.status() + " " + reply.body());
        }
        return reply.header("X-Subject-Token").orElseThrow();
    }

    @Override
    public void close() {
        app.close();
        removeOwned(databaseUrl, ownsDatabase, dataDir);
    }

    /** Drops the database when the server made it, and removes its data directory. */
    private static void removeOwned(String databaseUrl, boolean ownsDatabase, Path dataDir) {
        if (ownsDatabase) {
            TestDatabases.drop(databaseUrl);
        }
        TempDirs.delete(dataDir);
    }
}
