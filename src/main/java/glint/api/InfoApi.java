package glint.api;

import glint.http.Router;
import glint.image.StoreCatalog;
import glint.quota.Quotas;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery: {@code GET /v2/info/import}, {@code GET /v2/info/usage}, {@code GET /v2/info/stores} and
 * {@code /v2/info/stores/detail}
 * (glance/api/v2/discovery.py): the enabled import methods ({@code enabled_import_methods}); the stores exist only
 * with multi-store configured, else 404 as in Glance.
 */
public final class InfoApi {
    private final StoreCatalog stores;
    private final List<String> importMethods;
    private final Quotas quotas;

    public InfoApi(StoreCatalog stores, List<String> importMethods, Quotas quotas) {
        this.stores = stores;
        this.importMethods = List.copyOf(importMethods);
        this.quotas = quotas;
    }

    public void register(Router router) {
        router.add("GET", "/v2/info/import", ex -> {
            Map<String, Object> methods = new LinkedHashMap<>();
            methods.put("description", "Import methods available.");
            methods.put("type", "array");
            methods.put("value", importMethods);
            ex.sendJson(200, Map.of("import-methods", methods));
        });
        // Glance's get_usage: the caller's project's limits and usage; {"usage": {}} without use_keystone_limits
        router.add("GET", "/v2/info/usage", ex -> {
            Map<String, Object> usage = new LinkedHashMap<>();
            quotas.usage(ex.context().projectId()).forEach((resource, u) -> usage.put(resource.wire(),
                    Map.of("limit", u.limit(), "usage", u.usage())));
            ex.sendJson(200, Map.of("usage", usage));
        });
        router.add("GET", "/v2/info/stores", ex -> ex.sendJson(200,
                Map.of("stores", stores.list().stream().map(InfoApi::store).toList())));
        router.add("GET", "/v2/info/stores/detail", ex -> ex.sendJson(200,
                Map.of("stores", stores.detail(ex.context()).stream().map(InfoApi::detail).toList())));
    }

    /** Glance's {@code get_stores} entry: strings, {@code default} and {@code read-only} only when true. */
    private static Map<String, Object> store(StoreCatalog.Entry e) {
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("id", e.id());
        if (!e.description().isEmpty()) {
            store.put("description", e.description());
        }
        if (e.isDefault()) {
            store.put("default", "true");
        }
        if (e.readOnly()) {
            store.put("read-only", "true");
        }
        return store;
    }

    /** Glance's {@code get_stores_detail} entry: the same with {@code type}, {@code properties} and {@code weight}. */
    private static Map<String, Object> detail(StoreCatalog.Entry e) {
        Map<String, Object> store = store(e);
        store.put("type", e.type());
        store.put("properties", e.properties());
        store.put("weight", e.weight());
        return store;
    }
}
