package glint.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cache knows of each entry beyond its bytes, kept on disk beside it so that it survives restarts (Glance's
 * sqlite or xattr driver keeps the same): {@code DIR/meta/<image-id>}, a small properties file with {@code hits},
 * {@code last_accessed} (epoch seconds) and {@code verified} (the MD5 the entry's bytes were checked against, or
 * {@code none} when the image had no checksum). Written whole to a temporary name and renamed, so a reader never sees
 * half a file; not fsynced: after a power cut a hit may be lost, never an entry's bytes.
 */
final class CacheUsage {
    /** One entry's record. */
    record Usage(long hits, double lastAccessed, Optional<String> verified) {
        Usage hit(double now) {
            return new Usage(hits + 1, now, verified);
        }
    }

    private final Path dir;
    private final Map<String, Usage> known = new ConcurrentHashMap<>();

    CacheUsage(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    /** The entry's record, from memory or disk; empty when it has none (never verified, e.g. written by an older Glint). */
    Optional<Usage> get(String imageId) {
        Usage u = known.get(imageId);
        if (u != null) {
            return Optional.of(u);
        }
        Optional<Usage> loaded = load(imageId);
        loaded.ifPresent(v -> known.putIfAbsent(imageId, v));
        return loaded;
    }

    /** A new or re-verified entry: no hits yet. */
    void verified(String imageId, String md5OrNone, double now) {
        known.compute(imageId, (k, old) -> {
            Usage u = new Usage(0, now, Optional.of(md5OrNone));
            save(imageId, u);
            return u;
        });
    }

    /** Counts a download served from the entry. */
    void hit(String imageId, double now) {
        known.compute(imageId, (k, old) -> {
            Usage base = old != null ? old : load(imageId).orElse(new Usage(0, now, Optional.empty()));
            Usage u = base.hit(now);
            save(imageId, u);
            return u;
        });
    }

    void remove(String imageId) {
        known.remove(imageId);
        try {
            Files.deleteIfExists(dir.resolve(imageId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ids with a record on disk. */
    List<String> ids() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (!n.startsWith(".")) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Removes temporary files a crash left (call at start, when nothing writes). */
    void recover() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path f : ds) {
                Files.deleteIfExists(f);
            }
        }
    }

    private Optional<Usage> load(String imageId) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve(imageId), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Optional.of(new Usage(Long.parseLong(p.getProperty("hits", "0")),
                    Double.parseDouble(p.getProperty("last_accessed", "0")),
                    Optional.ofNullable(p.getProperty("verified"))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // damaged: as if never verified, so it is checked again
        }
    }

    private void save(String imageId, Usage u) {
        String text = "hits=" + u.hits() + "\nlast_accessed=" + u.lastAccessed() + "\n"
                + u.verified().map(v -> "verified=" + v + "\n").orElse("");
        Path tmp = dir.resolve("." + imageId + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(imageId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // recover() removes it at the next start
            }
            throw new UncheckedIOException(e);
        }
    }
}
