package glint.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty database for one test server, on the server chosen by the system property (or environment
 * variable) {@code glint.test.database}: {@code sqlite} (default), {@code postgresql} or {@code mariadb}.
 * The test command runs the whole suite once per database.
 */
public final class TestDatabases {
    public static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    public static final String MARIADB_ADMIN_URL = "jdbc:mariadb://127.0.0.1:3306/?user=root";

    private TestDatabases() {}

    public static String selected() {
        String value = System.getProperty("glint.test.database");
        if (value == null || value.isBlank()) {
            value = System.getenv().getOrDefault("GLINT_TEST_DATABASE", "sqlite");
        }
        return value.strip().toLowerCase(Locale.ROOT);
    }

    /** A JDBC URL of a new empty database (SQLite: a file under {@code dir}). */
    public static String fresh(Path dir) {
        String name = "glint_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return switch (selected()) {
            case "sqlite" -> "jdbc:sqlite:" + dir.resolve("glint.db");
            case "postgresql" -> {
                execute(PG_ADMIN_URL, "CREATE DATABASE " + name);
                yield "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres";
            }
            case "mariadb" -> {
                execute(MARIADB_ADMIN_URL, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                yield "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root";
            }
            default -> throw new IllegalArgumentException("glint.test.database: sqlite, postgresql or mariadb, not " + selected());
        };
    }

    /** Drops a database made by {@link #fresh}; SQLite files go with their temporary directory. */
    public static void drop(String url) {
        String name = url.replaceAll("^.*/(glint_test_[0-9a-f]+).*$", "$1");
        if (!name.startsWith("glint_test_")) {
            return;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            execute(PG_ADMIN_URL, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } else if (url.startsWith("jdbc:mariadb:")) {
            execute(MARIADB_ADMIN_URL, "DROP DATABASE IF EXISTS " + name);
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database: " + sql + ": " + e.getMessage(), e);
        }
    }
}
