package glint.store;

import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.error.GlintException;
import glint.store.http.HttpGuard;
import glint.store.http.HttpStore;
import glint.store.s3.S3Options;
import glint.store.s3.S3Store;
import glint.store.swift.SwiftOptions;
import glint.store.swift.SwiftStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The configured stores by id and the default one: Glance's single store, or its multi-store
 * ({@code enabled_backends = id:type,…}, {@code [glance_store] default_backend}, one section of options per store).
 */
public final class StoreRegistry implements AutoCloseable {
    /** Backend types this build can create. */
    public static final List<String> TYPES = List.of("file", "s3", "swift", "http");
    /** How long the http store waits to connect, and for the headers of an answer. */
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);
    /** Glance's reserved store for staged import data; never a target a client can name. */
    public static final String STAGING = "os_glance_staging_store";

    private final Map<String, BlobStore> stores;
    private final BlobStore defaultStore;
    private final Map<String, BlobStore> reserved = new LinkedHashMap<>();
    private final Map<String, Integer> weights;

    public StoreRegistry(Map<String, ? extends BlobStore> stores, String defaultId) {
        this(stores, defaultId, Map.of());
    }

    /** @param weights glance_store's {@code weight} per store id; a store not named weighs 0 */
    public StoreRegistry(Map<String, ? extends BlobStore> stores, String defaultId, Map<String, Integer> weights) {
        this.stores = new LinkedHashMap<>(stores);
        this.weights = Map.copyOf(weights);
        this.defaultStore = this.stores.get(defaultId);
        if (defaultStore == null) {
            throw new IllegalArgumentException("default store '" + defaultId + "' is not among the stores " + stores.keySet());
        }
        if (defaultStore.readOnly()) {
            throw new IllegalArgumentException("default store '" + defaultId + "' is read-only (" + defaultStore.type() + ")");
        }
    }

    /**
     * Creates every configured store.
     *
     * @throws IllegalArgumentException for a configuration that cannot work (unknown type, missing option): a
     *     start-up error naming the store and the option
     * @throws IOException if a store cannot be set up (e.g. its directory cannot be created)
     */
    public static StoreRegistry from(StoresConfig config) throws IOException {
        return from(config, HttpGuard.REFUSE_ALL, UnaryOperator.identity());
    }

    /**
     * @param guard what {@code http} stores may request (web-download's import filter)
     * @param decorate how each store is seen (the metrics count its failures)
     */
    public static StoreRegistry from(StoresConfig config, HttpGuard guard, UnaryOperator<BlobStore> decorate)
            throws IOException {
        Map<String, BlobStore> stores = new LinkedHashMap<>();
        Map<String, Integer> weights = new HashMap<>();
        for (StoreConfig s : config.enabled()) {
            stores.put(s.id(), decorate.apply(create(s, guard)));
            weights.put(s.id(), weight(s));
        }
        return new StoreRegistry(stores, config.defaultStore(), weights);
    }

    /** glance_store's {@code weight} option (an integer, 0 by default). */
    private static int weight(StoreConfig s) {
        String w = s.options().getOrDefault("weight", "0").strip();
        try {
            return Integer.parseInt(w);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("store '" + s.id() + "': weight must be an integer, not '" + w + "'");
        }
    }

    private static BlobStore create(StoreConfig s, HttpGuard guard) throws IOException {
        switch (s.type()) {
            case "file" -> {
                String dir = s.options().get("filesystem_store_datadir");
                if (dir == null || dir.isBlank()) {
                    throw new IllegalArgumentException("store '" + s.id() + "': filesystem_store_datadir is required");
                }
                String direct = s.options().getOrDefault("filesystem_store_direct_io", "false").strip();
                if (!direct.equalsIgnoreCase("true") && !direct.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("store '" + s.id() + "': filesystem_store_direct_io must be true or false, not '"
                            + direct + "'");
                }
                String thin = s.options().getOrDefault("filesystem_thin_provisioning", "false").strip();
                if (!thin.equalsIgnoreCase("true") && !thin.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("store '" + s.id() + "': filesystem_thin_provisioning must be true or "
                            + "false, not '" + thin + "'");
                }
                return new FileStore(s.id(), Path.of(dir), FileStore.DEFAULT_FLUSH_EVERY, Boolean.parseBoolean(direct),
                        Boolean.parseBoolean(thin), BlobStore.STALE_AFTER, java.time.Clock.systemUTC());
            }
            case "s3" -> {
                return new S3Store(s.id(), S3Options.parse(s.id(), s.options()));
            }
            case "swift" -> {
                return new SwiftStore(s.id(), SwiftOptions.parse(s.id(), s.options()));
            }
            case "http" -> {
                return new HttpStore(s.id(), guard, HTTP_TIMEOUT);
            }
            default -> throw new IllegalArgumentException("store '" + s.id() + "': unknown store type '" + s.type()
                    + "' (supported: " + String.join(", ", TYPES) + ")");
        }
    }

    /**
     * Adds a reserved store (the import staging area): found by {@link #find} (journal entries name it) and
     * cleaned up with the others, but not among {@link #all()} and refused by {@link #get} like an unknown id.
     */
    public StoreRegistry withReserved(BlobStore store) {
        reserved.put(store.id(), store);
        return this;
    }

    /** Where uploads go when the client names no store. */
    public BlobStore defaultStore() {
        return defaultStore;
    }

    /**
     * A store a client named ({@code X-Image-Meta-Store}). An unknown id is the client's mistake: Glance answers 400
     * with glance_store's UnknownScheme message.
     */
    public BlobStore get(String id) {
        BlobStore store = stores.get(id);
        if (store == null) {
            throw GlintException.badRequest("Store for identifier " + id + " not found");
        }
        return store;
    }

    /** A store by id, e.g. the one an image location names; empty if it is no longer configured. */
    public Optional<BlobStore> find(String id) {
        return Optional.ofNullable(stores.getOrDefault(id, reserved.get(id)));
    }

    public Collection<BlobStore> all() {
        return stores.values();
    }

    /** The stores data can be written to: all but the read-only ones (Glance's {@code _get_available_stores}). */
    public List<BlobStore> writable() {
        return stores.values().stream().filter(s -> !s.readOnly()).toList();
    }

    /**
     * The configured store a location belongs to: the first whose location form it has, in configuration order
     * (Glance's {@code _get_store_id_from_uri}); empty when none serves it.
     */
    public Optional<BlobStore> serving(String location) {
        return stores.values().stream().filter(s -> s.serves(location)).findFirst();
    }

    /** glance_store's {@code weight} of a store: locations in heavier stores come first; 0 for one not configured. */
    public int weight(String id) {
        return weights.getOrDefault(id, 0);
    }

    /** {@link BlobStore#cleanup()} of every store; call once at start, before serving. */
    public void cleanup() throws IOException {
        for (BlobStore s : stores.values()) {
            s.cleanup();
        }
        for (BlobStore s : reserved.values()) {
            s.cleanup();
        }
    }

    @Override
    public void close() {
        stores.values().forEach(BlobStore::close);
        reserved.values().forEach(BlobStore::close);
    }
}
