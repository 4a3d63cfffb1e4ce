package glint;

import glint.cache.ImageCache;
import glint.config.GlintConfig;
import glint.db.Database;
import glint.db.JdbcDataJournal;
import glint.db.JdbcImageRepository;
import glint.db.JdbcPurge;
import glint.image.ImageStatus;
import glint.image.Scrubber;
import glint.store.StoreRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The operator's commands besides {@code serve}, each run once on the same configuration as the server (and safe
 * beside running servers): {@code metadefs load}, {@code scrub} (glance-scrubber without {@code --daemon}),
 * {@code db purge} and {@code db purge-images-table} (glance-manage), {@code cache prune} and {@code cache clean}
 * (glance-cache-prune, glance-cache-cleaner). Returns the exit status; messages as the Glance tools print them.
 */
final class Manage {
    private Manage() {}

    static int run(List<String> words, Map<String, String> flags, GlintConfig config, PrintStream out, PrintStream err)
            throws Exception {
        String command = String.join(" ", words);
        if (words.get(0).equals("metadefs")) {
            int failed = 0;
            for (var outcome : App.loadMetadefs(config, Path.of(words.get(2)))) {
                out.println(outcome.result() + "\t" + outcome.file().getFileName() + "\t" + outcome.detail());
                failed += outcome.result().equals("failed") ? 1 : 0;
            }
            return failed == 0 ? 0 : 1;
        }
        return switch (command) {
            case "scrub" -> scrub(config, flags, out, err);
            case "db purge" -> purge(config, flags, false, out, err);
            case "db purge-images-table" -> purge(config, flags, true, out, err);
            case "cache prune", "cache clean" -> cache(config, words.get(1), out, err);
            default -> throw new IllegalArgumentException(command);
        };
    }

    private static int scrub(GlintConfig config, Map<String, String> flags, PrintStream out, PrintStream err)
            throws Exception {
        try (Database database = Database.open(config.database())) {
            database.migrate();
            StoreRegistry stores = StoreRegistry.from(config.stores());
            JdbcImageRepository images = new JdbcImageRepository(database);
            Scrubber scrubber = App.scrubber(config, images, stores, new JdbcDataJournal(database), App.nodeId(config));
            if (flags.containsKey("restore")) {
                String id = flags.get("restore");
                if (!scrubber.restore(id)) {
                    // glance-scrubber --restore: "Image %s is not in pending_delete status..." (exit 1)
                    err.println("Image " + id + " is not in " + ImageStatus.PENDING_DELETE.wire() + " status");
                    return 1;
                }
                out.println("Image " + id + " restored to " + ImageStatus.ACTIVE.wire());
                return 0;
            }
            int n = scrubber.scrubOnce();
            out.println("Scrubbed " + n + " image(s)");
            return 0;
        }
    }

    /** glance-manage's checks and messages ({@code DbCommands._purge}, {@code _validate_db_int}). */
    private static int purge(GlintConfig config, Map<String, String> flags, boolean imagesTable, PrintStream out,
                             PrintStream err) {
        long age;
        long maxRows;
        try {
            age = Long.parseLong(flags.getOrDefault("age-in-days", imagesTable ? "180" : "30"));
            maxRows = Long.parseLong(flags.getOrDefault("max-rows", "100"));
        } catch (NumberFormatException e) {
            err.println("Invalid int value for age_in_days or max_rows: " + e.getMessage());
            return 1;
        }
        if (age < 0) {
            err.println("Must supply a non-negative value for age.");
            return 1;
        }
        if (age >= System.currentTimeMillis() / 86_400_000L) {
            err.println("Maximal age is count of days since epoch.");
            return 1;
        }
        if (maxRows < -1) {
            err.println("Minimal rows limit is -1.");
            return 1;
        }
        if (maxRows > Integer.MAX_VALUE) {
            err.println("'max_rows' value out of range, must not exceed " + Integer.MAX_VALUE + ".");
            return 1;
        }
        Instant cutoff = Clock.systemUTC().instant().minus(Duration.ofDays(age));
        try (Database database = Database.open(config.database())) {
            database.migrate();
            JdbcPurge purge = new JdbcPurge(database);
            List<JdbcPurge.Purged> purged = imagesTable ? List.of(purge.purgeImages(cutoff, maxRows)) : purge.purge(cutoff, maxRows);
            for (JdbcPurge.Purged p : purged) {
                out.println("Deleted " + p.rows() + " row(s) from table " + p.table());
            }
            return 0;
        }
    }

    private static int cache(GlintConfig config, String what, PrintStream out, PrintStream err) throws Exception {
        if (!config.cache().enabled()) {
            err.println("The image cache is off: set image_cache_dir, or [paste_deploy] flavor = keystone+cachemanagement");
            return 1;
        }
        ImageCache cache = new ImageCache(config.cache().dir(), config.cache().maxSize(), Clock.systemUTC());
        try {
            if (what.equals("prune")) {
                int n = cache.prune();
                out.println("Pruned " + n + " image(s) from the cache; " + cache.size() + " bytes cached (image_cache_max_size "
                        + config.cache().maxSize() + ")");
                return 0;
            }
            try (Database database = Database.open(config.database())) {
                database.migrate();
                JdbcImageRepository images = new JdbcImageRepository(database);
                ImageCache.Cleaned c = cache.clean(config.cache().stallTime(),
                        id -> images.find(id).filter(i -> i.status() == ImageStatus.ACTIVE).isPresent());
                out.println("Removed " + c.stalled() + " stalled incomplete file(s), " + c.unwanted()
                        + " image(s) no longer active, " + c.records() + " stale record(s)");
                return 0;
            }
        } finally {
            cache.close();
        }
    }
}
