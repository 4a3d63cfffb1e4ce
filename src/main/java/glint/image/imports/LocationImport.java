package glint.image.imports;

import glint.auth.RequestContext;
import glint.auth.RequestIds;
import glint.data.HashAlgorithm;
import glint.error.GlintException;
import glint.image.Image;
import glint.image.ImageAccess;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.ValidationData;
import glint.store.StoreRegistry;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * API 2.17's location API (glance/api/v2/images.py {@code add_location} and {@code get_locations}), meant for services
 * (Nova, Cinder) in place of PATCHing {@code /locations} (OSSN-0065, OSSN-0090):
 * <ul>
 *   <li>{@link #add}: a queued image gets one location, in a {@code location_import} task (202), which checks it,
 *       hashes its data ({@code do_secure_hash}) and turns the image active ({@link LocationImportTask}). Policy
 *       {@code add_image_location} (service, or a member of the owning project); a caller without the service role
 *       may only name http URLs, and only with an http store configured.</li>
 *   <li>{@link #list}: the image's locations, policy {@code fetch_image_location} (service).</li>
 * </ul>
 */
public final class LocationImport {
    private final ImageAccess access;
    private final ImportImages images;
    private final ImportChecks checks;
    private final TaskLifecycle lifecycle;
    private final StoreRegistry stores;
    private final HashAlgorithm hashing;
    private final LocationImportTask task;
    private final Executor runner;

    public LocationImport(ImageAccess access, ImportImages images, ImportChecks checks, TaskLifecycle lifecycle,
                          StoreRegistry stores, HashAlgorithm hashing, LocationImportTask task, Executor runner) {
        this.access = access;
        this.images = images;
        this.checks = checks;
        this.lifecycle = lifecycle;
        this.stores = stores;
        this.hashing = hashing;
        this.task = task;
        this.runner = runner;
    }

    /** {@code POST /v2/images/{id}/locations}, body already schema-checked: Glance's checks in its order, then the task. */
    public Task add(RequestContext ctx, String id, String url, Map<String, String> validationData) {
        Image image = access.visible(ctx, id);
        if (image.status() != ImageStatus.QUEUED) {
            throw GlintException.conflict("It's not allowed to add locations if image status is " + image.status().wire() + ".");
        }
        access.enforce("add_image_location", ctx, image);
        if (!ctx.hasRole("service") && !httpStoreServes(url)) {
            throw GlintException.forbidden("http store must be enabled to use location API by normal user.");
        }
        ValidationData.checkHashing(validationData, hashing);
        if (image.properties().containsKey(ImportProperties.LOCK)) {
            checks.enforceLock(image);
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("image_id", id);
        input.put("loc_url", url);
        input.put("validation_data", validationData);
        Task created = lifecycle.create(LocationImportTask.TYPE, ctx, id, input);
        Map<String, String> props = new LinkedHashMap<>(image.properties());
        props.put(ImportProperties.LOCK, created.id());
        if (!images.update(image.toBuilder().properties(props).updatedAt(created.createdAt()).build(), ImageStatus.QUEUED)) {
            lifecycle.finish(created, TaskStatus.FAILURE, "Image changed while the location was added");
            throw GlintException.conflict("New operation on image '" + id + "' is not permitted as prior operation is "
                    + "still in progress");
        }
        runner.execute(() -> {
            // the task's log lines and its store calls carry the request that started it
            try (RequestIds.Scope bound = RequestIds.bind(ctx)) {
                task.run(created, id, url, validationData);
            }
        });
        return created;
    }

    /** {@code GET /v2/images/{id}/locations}. */
    public List<ImageLocation> list(RequestContext ctx, String id) {
        Image image = access.visible(ctx, id);
        access.enforce("fetch_image_location", ctx, image);
        return image.locations();
    }

    /** Glance's {@code is_http_store_configured}: an http(s) URL, and an http store among the stores. */
    private boolean httpStoreServes(String url) {
        return url.toLowerCase(Locale.ROOT).startsWith("http")
                && stores.all().stream().anyMatch(s -> s.type().equals("http"));
    }
}
