package glint.store;

import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.error.GlintException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The configured stores by id, and the default one (Glance's {@code enabled_backends} / {@code default_backend}). */
public final class StoreRegistry {
    private final Map<String, BlobStore> stores;
    private final String defaultId;

    public StoreRegistry(Map<String, BlobStore> stores, String defaultId) {
        this.stores = new LinkedHashMap<>(stores);
        this.defaultId = defaultId;
    }

    public static StoreRegistry from(StoresConfig config) throws IOException {
        Map<String, BlobStore> stores = new LinkedHashMap<>();
        for (StoreConfig s : config.enabled()) {
            BlobStore store = switch (s.type()) {
                case "file" -> new FileStore(s.id(), Path.of(s.options().get("filesystem_store_datadir")));
                default -> throw new IllegalArgumentException("store '" + s.id() + "': unsupported type '" + s.type()
                        + "' (supported: file)");
            };
            stores.put(s.id(), store);
        }
        return new StoreRegistry(stores, config.defaultStore());
    }

    public BlobStore defaultStore() {
        return stores.get(defaultId);
    }

    /** A store by id; an unknown id is the client's mistake (Glance: 400 for an unknown X-Image-Meta-Store). */
    public BlobStore get(String id) {
        BlobStore store = stores.get(id);
        if (store == null) {
            throw GlintException.badRequest("Store for identifier " + id + " not found");
        }
        return store;
    }

    public Optional<BlobStore> find(String id) {
        return Optional.ofNullable(stores.get(id));
    }

    public Collection<BlobStore> all() {
        return stores.values();
    }

    public void cleanup() throws IOException {
        for (BlobStore s : stores.values()) {
            s.cleanup();
        }
    }
}
