package glint.identity;

import glint.config.GlintConfig.DatabaseConfig;
import glint.db.Database;
import glint.db.IdentityRepository;
import glint.testing.MutableClock;
import glint.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The identity services on a fresh database of the selected kind, wired as App wires them, with a hand-moved clock
 * and a cheap password work factor. {@link #node()} adds another node: its own pool and services on the same database.
 */
final class IdentityFixture implements AutoCloseable {
    static final Duration TTL = Duration.ofHours(1);

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T08:00:00Z"));
    private final Path dir;
    private final String url;
    private final List<Database> pools = new ArrayList<>();

    /** One node of the deployment. */
    record Node(IdentityService identity, TokenService tokens, IdentityStore store) {}

    IdentityFixture() {
        try {
            dir = Files.createTempDirectory("glint-identity-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        url = TestDatabases.fresh(dir);
    }

    Node node() {
        Database db = Database.open(new DatabaseConfig(url, "", "", 4));
        pools.add(db);
        db.migrate();
        IdentityRepository store = new IdentityRepository(db);
        IdentityService identity = new IdentityService(store, new PasswordHasher(1_000), IdentityService.Lockout.OFF, clock);
        return new Node(identity, new TokenService(identity, store, TTL, clock), store);
    }

    @Override
    public void close() {
        pools.forEach(Database::close);
        TestDatabases.drop(url);
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
