package glint.db;

import static org.assertj.core.api.Assertions.assertThat;

import glint.config.GlintConfig.DatabaseConfig;
import glint.image.ImageLocation;
import glint.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** V8 on a catalogue of V7: every existing location stays, owned by its image, in its old order, with no metadata. */
class LocationsMigrationTest {
    private Path dir;
    private String url;

    @AfterEach
    void drop() {
        TestDatabases.drop(url);
        glint.testing.TempDirs.delete(dir);
    }

    @Test
    void existingLocationsBecomeOwnedLocationsInTheirOrder() throws Exception {
        dir = Files.createTempDirectory("glint-v8-");
        url = TestDatabases.fresh(dir);
        Flyway.configure().dataSource(url, null, null).locations(Dialect.fromUrl(url).migrationFolder())
                .table("glint_schema_history").target("7").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO images (id, name, status, visibility, protected, os_hidden, owner, min_disk, "
                    + "min_ram, created_at, updated_at, deleted, size) VALUES ('i1', 'x', 'active', 'private', FALSE, FALSE, "
                    + "'p1', 0, 0, 1, 1, FALSE, 3)");
            s.executeUpdate("INSERT INTO image_locations (image_id, store, location, status, created_at) VALUES "
                    + "('i1', 'zeta', 'file:///z/i1', 'active', 10), ('i1', 'alpha', 'file:///a/i1', 'active', 20)");
        }
        try (Database db = Database.open(new DatabaseConfig(url, "", "", 2))) {
            db.migrate();
            assertThat(new JdbcImageRepository(db).find("i1").orElseThrow().locations()).containsExactly(
                    new ImageLocation("zeta", "file:///z/i1", "active"), new ImageLocation("alpha", "file:///a/i1", "active"));
        }
    }
}
