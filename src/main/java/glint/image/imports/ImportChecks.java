package glint.image.imports;

import glint.auth.RequestContext;
import glint.error.GlintException;
import glint.image.Image;
import glint.image.ImageAccess;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of an import request, in Glance's order and with its messages: {@code ImageDataController.stage}
 * (glance/api/v2/image_data.py), {@code ImagesController.import_image} and {@code _enforce_import_lock}
 * (glance/api/v2/images.py), {@code get_stores_from_request} (glance/common/utils.py).
 */
public final class ImportChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ImportChecks.class);
    /** Glance's {@code _enforce_import_lock}: a lock whose task has not moved for this long may be taken over. */
    static final Duration LOCK_EXPIRY = Duration.ofMinutes(60);

    private final ImageAccess access;
    private final StoreRegistry stores;
    private final boolean multiStore;
    private final UriFilter filter;
    private final TaskLifecycle lifecycle;
    private final List<String> enabledMethods;

    /** @param enabledMethods {@code [DEFAULT] enabled_import_methods}; each must be one of {@link ImportRequest#METHODS} */
    public ImportChecks(ImageAccess access, StoreRegistry stores, boolean multiStore, UriFilter filter,
                        TaskLifecycle lifecycle, List<String> enabledMethods) {
        for (String m : enabledMethods) {
            if (!ImportRequest.METHODS.contains(m)) {
                throw new IllegalArgumentException("enabled_import_methods: '" + m + "' is not supported (supported: "
                        + String.join(", ", ImportRequest.METHODS) + ")");
            }
        }
        this.access = access;
        this.stores = stores;
        this.multiStore = multiStore;
        this.filter = filter;
        this.lifecycle = lifecycle;
        this.enabledMethods = List.copyOf(enabledMethods);
    }

    List<String> enabledMethods() {
        return enabledMethods;
    }

    /** {@code PUT /v2/images/{id}/stage}: glance-direct enabled, the image visible, modifiable and queued. */
    Image stageable(RequestContext ctx, String id) {
        if (!enabledMethods.contains(ImportRequest.GLANCE_DIRECT)) {
            throw GlintException.notFound("'glance-direct' method is not available at this site.");
        }
        Image image = access.visible(ctx, id);
        access.enforce("modify_image", ctx, image);
        if (image.status() != ImageStatus.QUEUED) {
            throw GlintException.conflict("Image status transition from " + image.status().wire() + " to uploading is not allowed");
        }
        return image;
    }

    /**
     * An import request that passed: the image as the caller saw it, the stores to import to, and the request with
     * Glance's defaults filled in (glance-download's {@code glance_service_interface}).
     */
    record Accepted(Image image, List<String> targets, ImportRequest request) {}

    /**
     * {@code POST /v2/images/{id}/import}.
     *
     * @return empty when there is nothing to do (copy-image to all stores, all have it)
     */
    Optional<Accepted> importable(RequestContext ctx, String id, ImportRequest req) {
        String method = req.method();
        Image image = access.visible(ctx, id);
        boolean copy = method.equals(ImportRequest.COPY_IMAGE);
        if (image.status() == ImageStatus.ACTIVE && !copy) {
            throw GlintException.conflict("Image with status active cannot be target for import");
        }
        if (image.status() != ImageStatus.ACTIVE && copy) {
            throw GlintException.conflict("Only images with status active can be targeted for copying");
        }
        if (image.status() != ImageStatus.QUEUED
                && (method.equals(ImportRequest.WEB_DOWNLOAD) || method.equals(ImportRequest.GLANCE_DOWNLOAD))) {
            throw GlintException.conflict("Image needs to be in 'queued' state to use '" + method + "' method");
        }
        if (image.status() != ImageStatus.UPLOADING && method.equals(ImportRequest.GLANCE_DIRECT)) {
            throw GlintException.conflict("Image needs to be staged before 'glance-direct' method can be used");
        }
        if (image.containerFormat().isEmpty()) {
            throw GlintException.conflict("'container_format' needs to be set before import");
        }
        if (image.diskFormat().isEmpty()) {
            throw GlintException.conflict("'disk_format' needs to be set before import");
        }
        ImportRequest accepted = method.equals(ImportRequest.GLANCE_DOWNLOAD) ? glanceDownload(req) : req;
        access.enforce(copy ? "copy_image" : "modify_image", ctx, image);
        if (image.properties().containsKey(ImportProperties.LOCK)) {
            enforceLock(image);
        }
        List<String> targets = targetStores(req);
        if (copy) {
            List<String> present = image.locations().stream().map(ImageLocation::storeId).toList();
            if (req.allStores()) {
                targets = targets.stream().filter(s -> !present.contains(s)).toList();
                if (targets.isEmpty()) {
                    LOG.info("image {}: copy-image to all stores, but it is in all of them already", image.id());
                    return Optional.empty();
                }
            } else {
                for (String s : targets) {
                    if (present.contains(s)) {
                        throw GlintException.badRequest("Image is already present at store '" + s + "'");
                    }
                }
            }
        }
        if (!req.allStoresMustSucceed() && !multiStore) {
            throw GlintException.badRequest("All_stores_must_succeed can only be set with enabled_backends "
                    + req.uri().orElse("None"));
        }
        if (method.equals(ImportRequest.WEB_DOWNLOAD)) {
            try {
                filter.check(req.uri().orElse(null));
            } catch (UriFilter.Refused e) {
                LOG.info("image {}: web-download URI refused: {}", image.id(), e.getMessage());
                throw GlintException.badRequest("URI for web-download does not pass filtering: " + req.uri().orElse(null));
            }
        }
        return Optional.of(new Accepted(image, targets, accepted));
    }

    /** glance-download's parameters: region and image id required, the id a UUID, the interface {@code public} by default. */
    private static ImportRequest glanceDownload(ImportRequest req) {
        if (!req.hasMethodParam("glance_region")) {
            throw GlintException.badRequest("'glance_region' needs to be set for glance-download import method");
        }
        if (!req.hasMethodParam("glance_image_id")) {
            throw GlintException.badRequest("'glance_image_id' needs to be set for glance-download import method");
        }
        if (!req.methodParam("glance_image_id").filter(ImportChecks::looksLikeUuid).isPresent()) {
            throw GlintException.badRequest("Remote image id does not look like a UUID: " + req.methodValue("glance_image_id"));
        }
        return req.hasMethodParam("glance_service_interface") ? req : req.withMethodParam("glance_service_interface", "public");
    }

    /**
     * Python's {@code uuid.UUID(text)}: braces, a {@code urn:uuid:} prefix and hyphens anywhere are allowed around
     * 32 hex digits.
     */
    static boolean looksLikeUuid(String text) {
        String hex = text.replace("urn:", "").replace("uuid:", "").replaceAll("^[{}]+|[{}]+$", "").replace("-", "");
        return hex.matches("[0-9a-fA-F]{32}");
    }

    /** Glance's {@code get_stores_from_request}; an unknown store is 409 there (glance_store's UnknownScheme). */
    private List<String> targetStores(ImportRequest req) {
        if (req.allStores() && (req.stores().isPresent() || req.storeHeader().isPresent())) {
            throw GlintException.badRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
        }
        if (req.stores().isPresent() && req.storeHeader().isPresent()) {
            throw GlintException.badRequest("Stores parameter and x-image-meta-store header can't be both specified");
        }
        if (!multiStore) {
            return List.of(stores.defaultStore().id());
        }
        // all_stores: Glance's _get_available_stores, without the read-only (http) ones
        List<String> ids = req.allStores() ? stores.writable().stream().map(BlobStore::id).toList()
                : req.stores().orElseGet(() -> List.of(req.storeHeader().orElse(stores.defaultStore().id())));
        for (String s : ids) {
            if (stores.all().stream().noneMatch(b -> b.id().equals(s))) {
                throw GlintException.conflict("Unknown scheme '" + s + "' found in URI");
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    /** Another task holds the image: 409 while it may still be working, else its lock is taken over. */
    void enforceLock(Image image) {
        String holder = image.properties().get(ImportProperties.LOCK);
        Optional<Task> task = lifecycle.find(holder);
        if (task.isPresent() && !task.get().status().finished()) {
            Duration expiry = task.get().status() == TaskStatus.PENDING ? LOCK_EXPIRY.multipliedBy(2) : LOCK_EXPIRY;
            if (lifecycle.idle(task.get()).compareTo(expiry) < 0) {
                throw GlintException.conflict("Image has active task");
            }
            lifecycle.finish(task.get(), TaskStatus.FAILURE, "Expired lock preempted");
        }
        LOG.warn("image {}: taking over the import lock of task {} ({})", image.id(), holder,
                task.map(t -> t.status().wire()).orElse("gone"));
    }
}
