package glint.api;

import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.error.GlintException;
import glint.http.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery: {@code GET /v2/info/import} and {@code GET /v2/info/stores} (glance/api/v2/discovery.py): the
 * enabled import methods ({@code enabled_import_methods}); the stores list exists only with multi-store configured,
 * else 404 as in Glance.
 */
public final class InfoApi {
    private final StoresConfig stores;
    private final List<String> importMethods;

    public InfoApi(StoresConfig stores, List<String> importMethods) {
        this.stores = stores;
        this.importMethods = List.copyOf(importMethods);
    }

    public void register(Router router) {
        router.add("GET", "/v2/info/import", ex -> {
            Map<String, Object> methods = new LinkedHashMap<>();
            methods.put("description", "Import methods available.");
            methods.put("type", "array");
            methods.put("value", importMethods);
            ex.sendJson(200, Map.of("import-methods", methods));
        });
        router.add("GET", "/v2/info/stores", ex -> {
            if (!stores.multiStore()) {
                throw GlintException.notFound("Multi backend is not supported at this site.");
            }
            List<Map<String, String>> list = new ArrayList<>();
            for (StoreConfig s : stores.enabled()) {
                Map<String, String> store = new LinkedHashMap<>();
                store.put("id", s.id());
                if (!s.description().isEmpty()) {
                    store.put("description", s.description());
                }
                if (s.id().equals(stores.defaultStore())) {
                    store.put("default", "true");
                }
                list.add(store);
            }
            ex.sendJson(200, Map.of("stores", list));
        });
    }
}
