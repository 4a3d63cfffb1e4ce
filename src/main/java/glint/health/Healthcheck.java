package glint.health;

import glint.config.GlintConfig.HealthcheckConfig;
import glint.store.BlobStore;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * oslo.middleware's healthcheck as Glance mounts it ({@code /healthcheck} in glance-api-paste.ini, before
 * authentication): the configured backends, run in order on every request; healthy when all are available. Who is
 * answered at all ({@code allowed_source_ranges}, {@code ignore_proxied_requests}) and who sees details
 * ({@code detailed}, and here only for admins) are decided here; how it looks, in {@code api.HealthcheckView}.
 */
public final class Healthcheck {
    /** The proxy headers oslo looks for with {@code ignore_proxied_requests} ({@code HTTP_X_FORWARDED…}). */
    static final List<String> PROXY_HEADERS = List.of("X-Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host",
            "X-Forwarded-For", "X-Forwarded-Prefix");

    private final List<HealthBackend> backends;
    private final SourceRanges sources;
    private final boolean ignoreProxiedRequests;
    private final boolean detailed;

    public Healthcheck(List<HealthBackend> backends, SourceRanges sources, boolean ignoreProxiedRequests, boolean detailed) {
        this.backends = List.copyOf(backends);
        this.sources = sources;
        this.ignoreProxiedRequests = ignoreProxiedRequests;
        this.detailed = detailed;
    }

    /**
     * The backends named in {@code [healthcheck] backends}, in that order.
     *
     * @param database Glint's {@code database} backend's probe
     * @param stores the stores Glint's {@code stores} backend looks at
     */
    public static Healthcheck from(HealthcheckConfig config, DependencyBackends.DatabasePing database,
                                   Collection<? extends BlobStore> stores) {
        List<HealthBackend> backends = new ArrayList<>();
        for (String name : config.backends()) {
            backends.add(switch (name) {
                case "disable_by_file" -> FileBackends.disableByFile(config.disableByFilePath());
                case "disable_by_files_ports" -> FileBackends.disableByFilesPorts(config.disableByFilePaths());
                case "enable_by_files" -> FileBackends.enableByFiles(config.enableByFilePaths());
                case "database" -> DependencyBackends.database(database);
                case "stores" -> DependencyBackends.stores(stores);
                default -> throw new IllegalArgumentException("[healthcheck] backends: unknown backend '" + name + "'");
            });
        }
        return new Healthcheck(backends, SourceRanges.of(config.allowedSourceRanges()), config.ignoreProxiedRequests(),
                config.detailed());
    }

    /**
     * Whether this request is the healthcheck's at all; oslo passes the others on to the application, which has no
     * {@code /healthcheck}: Glint answers them 404.
     *
     * @param hasHeader whether the request carries a header of that name with a value
     */
    public boolean answers(InetAddress client, Predicate<String> hasHeader) {
        if (!sources.allows(client)) {
            return false;
        }
        return !ignoreProxiedRequests || PROXY_HEADERS.stream().noneMatch(hasHeader);
    }

    /** Runs every backend; the port the request came in on is theirs to look at. */
    public HealthReport check(int serverPort) {
        return new HealthReport(backends.stream().map(b -> b.check(serverPort)).toList());
    }

    /** oslo's {@code detailed}, which shows threads and configuration details to whoever asks: here, to admins only. */
    public boolean showsDetailsTo(boolean admin) {
        return detailed && admin;
    }
}
