package glint.api;

import glint.cache.CacheService;
import glint.cache.ImageCache.CachedImage;
import glint.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cache management, API 2.14+ (glance/api/v2/cached_images.py, routes in glance/api/v2/router.py):
 * {@code GET /v2/cache}, {@code DELETE /v2/cache}, {@code PUT} and {@code DELETE /v2/cache/{image_id}}.
 */
public final class CacheApi {
    private final CacheService cache;

    public CacheApi(CacheService cache) {
        this.cache = cache;
    }

    public void register(Router router) {
        router.add("GET", "/v2/cache", ex -> {
            CacheService.State state = cache.list(ex.context());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("cached_images", state.cached().stream().map(CacheApi::view).toList());
            body.put("queued_images", state.queued());
            ex.sendJson(200, body);
        });
        router.add("DELETE", "/v2/cache", ex -> {
            cache.clear(ex.context(), ex.header("x-image-cache-clear-target").orElse(""));
            ex.sendEmpty(204);
        });
        router.add("PUT", "/v2/cache/{image_id}", ex -> {
            cache.queue(ex.context(), ex.pathParam("image_id"));
            ex.sendEmpty(202);
        });
        router.add("DELETE", "/v2/cache/{image_id}", ex -> {
            cache.delete(ex.context(), ex.pathParam("image_id"));
            ex.sendEmpty(204);
        });
    }

    private static Map<String, Object> view(CachedImage c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_id", c.imageId());
        m.put("hits", c.hits());
        m.put("last_accessed", c.lastAccessed());
        m.put("last_modified", c.lastModified());
        m.put("size", c.size());
        return m;
    }
}
