package glint.testing;

import glint.config.GlintConfig.DatabaseConfig;
import glint.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database of the selected kind ({@link TestDatabases}), migrated, for each test of a class that registers
 * it ({@code @RegisterExtension final MigratedDatabase database = new MigratedDatabase();}); closed and dropped after.
 */
public final class MigratedDatabase implements BeforeEachCallback, AfterEachCallback {
    private Path dir;
    private String url;
    private Database db;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("glint-db-");
        url = TestDatabases.fresh(dir);
        db = Database.open(new DatabaseConfig(url, "", "", 4));
        db.migrate();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        db.close();
        TestDatabases.drop(url);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Database db() {
        return db;
    }

    /** A directory of the test's own, removed after it. */
    public Path dir() {
        return dir;
    }
}
