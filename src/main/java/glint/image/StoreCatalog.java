package glint.image;

import glint.auth.RequestContext;
import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.error.GlintException;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.util.List;
import java.util.Map;

/**
 * The stores clients may name ({@code GET /v2/info/stores} and {@code /detail}, glance/api/v2/discovery.py): only with
 * multi-store configured (404 otherwise); the detail, with each store's type, {@code properties} and
 * {@code weight}, under the {@code stores_info_detail} policy (admin or service).
 */
public final class StoreCatalog {
    /** One store as discovery shows it. */
    public record Entry(String id, String description, boolean isDefault, boolean readOnly, String type, int weight,
                        Map<String, Object> properties) {}

    private final StoresConfig config;
    private final StoreRegistry stores;
    private final ImageAccess access;

    public StoreCatalog(StoresConfig config, StoreRegistry stores, ImageAccess access) {
        this.config = config;
        this.stores = stores;
        this.access = access;
    }

    public List<Entry> list() {
        if (!config.multiStore()) {
            throw GlintException.notFound("Multi backend is not supported at this site.");
        }
        return config.enabled().stream().map(this::entry).toList();
    }

    public List<Entry> detail(RequestContext ctx) {
        List<Entry> entries = list();
        if (!access.allows("stores_info_detail", ctx, Map.of())) {
            throw GlintException.forbidden("You are not authorized to complete stores_info_detail action.");
        }
        return entries;
    }

    private Entry entry(StoreConfig s) {
        BlobStore store = stores.find(s.id()).orElseThrow();
        return new Entry(s.id(), s.description(), s.id().equals(config.defaultStore()), store.readOnly(), s.type(),
                stores.weight(s.id()), store.properties());
    }
}
