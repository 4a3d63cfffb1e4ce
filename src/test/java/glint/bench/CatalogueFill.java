package glint.bench;

import glint.config.GlintConfig.DatabaseConfig;
import glint.db.Database;
import glint.db.JdbcImageRepository;
import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.Visibility;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * {@code bench/catalogue.sh}'s bulk path: grows the images of a Glint database to N, with
 * {@link JdbcImageRepository#insertAll} (the statements of {@code POST /v2/images} and of an upload's activation,
 * batched). Image {@code i} is always the same image, so 1k, 10k, 100k and 1M are one catalogue growing:
 * 60% private, 25% public, 10% shared, 5% community, owned by 100 projects ({@code bench-p0} …); 75% active with a
 * size, checksums and one file location (whose data does not exist: listing never reads it), 25% queued;
 * 1 in 20 without a name; two tags of {@code t0}…{@code t49}; {@code os_distro} {@code d0}…{@code d9};
 * 1% {@code os_hidden}. One image a second from 2020-01-01.
 *
 * <p>Usage: {@code CatalogueFill JDBC_URL COUNT} (migrates the schema first).
 */
public final class CatalogueFill {
    private static final String[] DISK_FORMATS = {"raw", "qcow2", "vmdk", "iso", "vhd"};
    private static final String[] CONTAINER_FORMATS = {"bare", "ovf", "bare", "bare"};
    private static final long EPOCH = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();

    private CatalogueFill() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long target = Long.parseLong(args[1]);
        try (Database db = Database.open(new DatabaseConfig(url, "", "", 2))) {
            db.migrate();
            long have = db.read(c -> {
                try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM images WHERE owner LIKE 'bench-p%'")) {
                    r.next();
                    return r.getLong(1);
                }
            });
            JdbcImageRepository repo = new JdbcImageRepository(db);
            long started = System.nanoTime();
            List<Image> chunk = new ArrayList<>();
            for (long i = have; i < target; i++) {
                chunk.add(image(i));
                if (chunk.size() == 2000 || i == target - 1) {
                    repo.insertAll(chunk);
                    chunk.clear();
                }
            }
            db.refreshStatistics();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("filled %d -> %d images in %.1f s%n", have, Math.max(have, target), seconds);
        }
    }

    public static Image image(long i) {
        SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
        String id = UUID.nameUUIDFromBytes(("glint-bench-" + i).getBytes(StandardCharsets.UTF_8)).toString();
        int v = (int) (i % 20);
        Visibility visibility = v < 12 ? Visibility.PRIVATE : v < 17 ? Visibility.PUBLIC : v < 19 ? Visibility.SHARED
                : Visibility.COMMUNITY;
        boolean active = r.nextInt(4) != 0;
        Optional<String> name = r.nextInt(20) == 0 ? Optional.empty()
                : Optional.of("img-" + Long.toString(r.nextLong() & 0xffffffffffL, 36));
        Optional<String> disk = Optional.of(DISK_FORMATS[r.nextInt(DISK_FORMATS.length)]);
        Optional<String> container = Optional.of(CONTAINER_FORMATS[r.nextInt(CONTAINER_FORMATS.length)]);
        if (!active && r.nextInt(4) == 0) {
            disk = Optional.empty();
            container = Optional.empty();
        }
        Instant created = Instant.ofEpochMilli(EPOCH + i * 1000);
        Instant updated = active ? created.plusSeconds(30 + r.nextInt(600)) : created;
        Set<String> tags = new LinkedHashSet<>(List.of("t" + r.nextInt(50), "t" + r.nextInt(50)));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("os_distro", "d" + r.nextInt(10));
        properties.put("os_version", Integer.toString(r.nextInt(30)));
        Optional<Long> size = active ? Optional.of(1L + r.nextLong(8L << 30)) : Optional.empty();
        String hex = Long.toHexString(r.nextLong());
        return new Image(id, name, active ? ImageStatus.ACTIVE : ImageStatus.QUEUED, visibility, false, r.nextInt(100) == 0,
                Optional.of("bench-p" + r.nextInt(100)), disk, container, 0, 0, size, size,
                active ? Optional.of(("0".repeat(32) + hex).substring(hex.length())) : Optional.empty(),
                active ? Optional.of("sha512") : Optional.empty(),
                active ? Optional.of(("0".repeat(128) + hex).substring(hex.length())) : Optional.empty(),
                created, updated, tags, properties,
                active ? List.of(new ImageLocation("file", "file:///var/lib/glint/images/" + id, "active")) : List.of());
    }
}
