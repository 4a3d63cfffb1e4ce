package glint.api;

import glint.http.Exchange;
import glint.http.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /} (300) and {@code GET /versions} (200): the version document of glance/api/versions.py. */
public final class VersionsApi {
    private final Optional<String> publicEndpoint;
    private final boolean multiStore;
    private final boolean cache;

    public VersionsApi(Optional<String> publicEndpoint, boolean multiStore) {
        this(publicEndpoint, multiStore, false);
    }

    /** @param cache whether the cache API (2.14-2.16) is served: Glance lists those versions with image_cache_dir set */
    public VersionsApi(Optional<String> publicEndpoint, boolean multiStore, boolean cache) {
        this.publicEndpoint = publicEndpoint;
        this.multiStore = multiStore;
        this.cache = cache;
    }

    public void register(Router router) {
        router.addPublic("GET", "/", ex -> ex.sendJson(300, document(ex)));
        router.addPublic("GET", "/versions", ex -> ex.sendJson(200, document(ex)));
    }

    private Map<String, Object> document(Exchange ex) {
        String base = publicEndpoint.orElseGet(() -> "http://" + ex.header("Host").orElse("127.0.0.1"));
        String href = base.replaceAll("/+$", "") + "/v2/";
        List<Object> versions = new ArrayList<>();
        if (cache) {
            versions.add(version("2.16", "CURRENT", href));
            versions.add(version("2.15", "SUPPORTED", href));
            versions.add(version("2.14", "SUPPORTED", href));
        } else {
            versions.add(version("2.15", "CURRENT", href));
        }
        List<String> supported = multiStore
                ? List.of("2.13", "2.12", "2.11", "2.10", "2.9", "2.8")
                : List.of("2.9");
        supported.forEach(v -> versions.add(version(v, "SUPPORTED", href)));
        for (String v : List.of("2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0")) {
            versions.add(version(v, "SUPPORTED", href));
        }
        return Map.of("versions", versions);
    }

    private static Map<String, Object> version(String id, String status, String href) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", "v" + id);
        v.put("status", status);
        v.put("links", List.of(Map.of("rel", "self", "href", href)));
        return v;
    }
}
