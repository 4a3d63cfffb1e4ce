package glint.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * oslo.middleware's three file backends (oslo_middleware/healthcheck/disable_by_file.py, enable_by_files.py), with
 * their reasons and details word for word: an operator drains a node by creating a file, or marks it ready by
 * creating files that must all be there.
 */
public final class FileBackends {
    private FileBackends() {}

    /** {@code disable_by_file}: unavailable while {@code path} exists. Glance's paste file names this one. */
    public static HealthBackend disableByFile(Optional<Path> path) {
        return port -> {
            if (path.isEmpty()) {
                return HealthResult.ok("No 'disable_by_file_path' configuration value specified");
            }
            if (!Files.exists(path.get())) {
                return HealthResult.ok("Path '" + path.get() + "' was not found");
            }
            return HealthResult.down("DISABLED BY FILE", "Path '" + path.get() + "' was found");
        };
    }

    /** {@code disable_by_files_ports}: as {@code disable_by_file}, with a file per port the request came in on. */
    public static HealthBackend disableByFilesPorts(Map<Integer, Path> paths) {
        return port -> {
            Path path = paths.get(port);
            if (path == null || !Files.exists(path)) {
                return new HealthResult(true, HealthResult.OK, null);
            }
            return new HealthResult(false, "DISABLED BY FILE", null);
        };
    }

    /** {@code enable_by_files}: unavailable until every one of {@code paths} exists. */
    public static HealthBackend enableByFiles(List<Path> paths) {
        return port -> {
            for (Path p : paths) {
                if (!Files.exists(p)) {
                    return HealthResult.down("FILE PATH MISSING", "File path " + p + " is missing");
                }
            }
            return HealthResult.ok("Specified file paths are available");
        };
    }
}
