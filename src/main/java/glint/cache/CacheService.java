package glint.cache;

import glint.auth.RequestContext;
import glint.cache.ImageCache.CachedImage;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.image.Image;
import glint.image.ImageAccess;
import glint.image.ImageStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache management API's use cases (API 2.14+), following Glance 25's {@code CacheController}
 * (glance/api/v2/cached_images.py): policy {@code cache_list}, {@code cache_image} or {@code cache_delete} first,
 * then — when this node has no cache — 404 "Caching via API is not supported at this site.", as Glance answers
 * without {@code image_cache_dir}.
 */
public final class CacheService {
    /** {@code GET /v2/cache}. */
    public record State(List<CachedImage> cached, List<String> queued) {}

    private final ImageAccess access;
    private final Optional<ImageCache> cache;
    private final Optional<CachePrefetcher> prefetcher;

    public CacheService(ImageAccess access, Optional<ImageCache> cache, Optional<CachePrefetcher> prefetcher) {
        this.access = access;
        this.cache = cache;
        this.prefetcher = prefetcher;
    }

    public State list(RequestContext ctx) {
        ImageCache c = enabled(ctx, "cache_list", Optional.empty());
        return new State(c.cached(), c.queued());
    }

    /** {@code PUT /v2/cache/{id}}: an image the caller can see, then the policy, then: only active images. */
    public void queue(RequestContext ctx, String imageId) {
        Image image = access.visible(ctx, imageId);
        ImageCache c = enabled(ctx, "cache_image", Optional.of(image));
        if (image.status() != ImageStatus.ACTIVE) {
            throw GlintException.badRequest("Only images with status active can be targeted for queueing");
        }
        if (io(() -> c.queue(imageId))) {
            prefetcher.orElseThrow().submit(imageId);
        }
    }

    /**
     * {@code DELETE /v2/cache/{id}}: removes the image from cache and queue. An id that is neither a visible image nor
     * in the cache is 404; one that is in the cache but whose image is gone can still be removed (Glance).
     */
    public void delete(RequestContext ctx, String imageId) {
        Optional<Image> image;
        try {
            image = Optional.of(access.visible(ctx, imageId));
        } catch (GlintException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
            image = Optional.empty();
            if (cache.isEmpty() || !(cache.get().isCached(imageId) || cache.get().isQueued(imageId))) {
                throw GlintException.notFound("Image " + imageId + " not found.");
            }
        }
        ImageCache c = enabled(ctx, "cache_delete", image);
        io(() -> c.delete(imageId));
        io(() -> c.dequeue(imageId));
    }

    /**
     * {@code DELETE /v2/cache} with the {@code x-image-cache-clear-target} header ({@code cache}, {@code queue} or empty
     * for both, any case; checked after the policy, as Glance does). Returns how many entries went from each.
     */
    public Map<String, Integer> clear(RequestContext ctx, String target) {
        ImageCache c = enabled(ctx, "cache_delete", Optional.empty());
        return switch (target.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "" -> Map.of("cache_deleted", io(c::clearCached), "queue_deleted", io(c::clearQueued));
            case "cache" -> Map.of("cache_deleted", io(c::clearCached));
            case "queue" -> Map.of("queue_deleted", io(c::clearQueued));
            default -> throw GlintException.badRequest(
                    "If provided 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string.");
        };
    }

    /** Glance's {@code _enforce}: the rule (a bare 403, as webob's HTTPForbidden()), then whether there is a cache. */
    private ImageCache enabled(RequestContext ctx, String rule, Optional<Image> image) {
        boolean allowed = image.isPresent() ? access.allows(rule, ctx, image.get()) : access.allows(rule, ctx, Map.of());
        if (!allowed) {
            throw GlintException.forbidden("Access was denied to this resource.");
        }
        return cache.orElseThrow(() -> GlintException.notFound("Caching via API is not supported at this site."));
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T io(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
