package glint.image.imports;

import glint.auth.RequestIds;
import glint.auth.RequestContext;
import glint.data.UploadResult;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.image.Image;
import glint.image.ImageStatus;
import glint.quota.CountLimit;
import glint.quota.QuotaResource;
import glint.store.BlobExistsException;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interoperable image import's requests (Glance's {@code ImageDataController.stage} and
 * {@code ImagesController.import_image}):
 * <ul>
 *   <li>{@link #stage}: queued → uploading, the data in the staging store (size cap and hashing as an upload).</li>
 *   <li>{@link #importImage}: the request checked as Glance does ({@link ImportChecks}), a {@link Task} recorded,
 *       the image's import lock ({@code os_glance_import_task}) taken, and the task ({@link ImportTask}) run on a
 *       fixed pool of {@code task_pool_threads}.</li>
 * </ul>
 * Crash safety: staged data and every blob being written are in the data journal from before their first byte
 * ({@link ImportBlobs}); {@link ImportRecovery} fails this node's unfinished tasks at start.
 */
public final class ImportService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);

    private final ImportChecks checks;
    private final ImportImages images;
    private final ImportBlobs blobs;
    private final ImportProperties props;
    private final TaskLifecycle lifecycle;
    private final ImportTask task;
    private final ExecutorService runner;

    /** @param runner runs the tasks; {@link #close} stops it */
    public ImportService(ImportChecks checks, ImportImages images, ImportBlobs blobs, ImportProperties props,
                         TaskLifecycle lifecycle, ImportTask task, ExecutorService runner) {
        this.checks = checks;
        this.images = images;
        this.blobs = blobs;
        this.props = props;
        this.lifecycle = lifecycle;
        this.task = task;
        this.runner = runner;
    }

    /** {@code [DEFAULT] enabled_import_methods}, as configured. */
    public List<String> enabledMethods() {
        return checks.enabledMethods();
    }

    /** {@code PUT /v2/images/{id}/stage}: queued → uploading with the data in staging; a failure puts it back. */
    public void stage(RequestContext ctx, String id, InputStream data, OptionalLong expectedSize) throws IOException {
        Image image = checks.stageable(ctx, id);
        ImportBlobs.Blob blob;
        try {
            blob = blobs.create(blobs.staging(), id);
        } catch (BlobExistsException e) {
            throw GlintException.conflict("The image " + id + " has data on staging");
        }
        Image uploading = props.staged(image).toBuilder().status(ImageStatus.UPLOADING).updatedAt(images.now()).build();
        if (!toUploading(ctx, uploading, blob)) {
            blobs.abandon(blob);
            throw GlintException.conflict("Image status transition from " + images.find(id).map(i -> i.status().wire())
                    .orElse("deleted") + " to uploading is not allowed");
        }
        images.events().updated(uploading);
        UploadResult result;
        try {
            result = blobs.fillStaged(blob, image, data, expectedSize, blobs.stagingQuota(ctx.projectId(), blob));
        } catch (IOException | RuntimeException e) {
            images.saveIf(id, ImageStatus.UPLOADING, ImportProperties::unstaged).ifPresent(images.events()::updated);
            throw e;
        }
        // Glance records the staged size on the image
        Optional<Image> sized = images.saveIf(id, ImageStatus.UPLOADING, i -> i.toBuilder().size(Optional.of(result.size())).build());
        if (sized.isEmpty()) {
            blobs.remove(blob.pending());
            throw new GlintException(ErrorKind.GONE, "Image " + id + " could not be found after staging. The image may "
                    + "have been deleted during the upload.");
        }
        // the image's size counts the staged data now (Glance's staging usage), not the reservation
        blobs.quotas().release(blob.pending().id());
        images.events().updated(sized.get());
    }

    /**
     * queued → uploading, within {@code image_count_uploading} when there is one (Glance checks it once the image is
     * uploading): over it, the blob is given up and the answer is 413, the image still queued.
     */
    private boolean toUploading(RequestContext ctx, Image uploading, ImportBlobs.Blob blob) {
        Optional<CountLimit> limit = blobs.quotas().countLimit(ctx.projectId(), QuotaResource.IMAGE_COUNT_UPLOADING);
        if (limit.isEmpty()) {
            return images.update(uploading, ImageStatus.QUEUED);
        }
        Optional<CountLimit.Outcome> outcome = images.update(uploading, ImageStatus.QUEUED, limit.get());
        if (outcome.isPresent() && !outcome.get().within()) {
            blobs.abandon(blob);
            throw blobs.quotas().countExceeded(limit.get(), outcome.get().before());
        }
        return outcome.isPresent();
    }

    /**
     * {@code POST /v2/images/{id}/import}: the checks of Glance's {@code import_image} in its order, then the task.
     *
     * @return the task started, or empty when there is nothing to do (copy-image to all stores, all have it)
     */
    public Optional<Task> importImage(RequestContext ctx, String id, ImportRequest req) {
        // Glance's import_image: enforce_image_size_total with delta 0, before anything else
        blobs.quotas().check(ctx.projectId(), QuotaResource.IMAGE_SIZE_TOTAL, 0);
        Optional<ImportChecks.Accepted> accepted = checks.importable(ctx, id, req);
        if (accepted.isEmpty()) {
            return Optional.empty();
        }
        Image image = accepted.get().image();
        List<String> targets = accepted.get().targets();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("image_id", id);
        input.put("import_req", accepted.get().request().body());
        input.put("backend", props.multiStore() ? targets : Arrays.asList((String) null));
        Task created = lifecycle.create(Task.IMAGE_IMPORT, ctx, id, input);
        boolean copy = req.method().equals(ImportRequest.COPY_IMAGE);
        Image.Builder locked = props.locked(image, created.id(), targets).toBuilder().updatedAt(created.createdAt());
        if (!copy) {
            locked.status(ImageStatus.IMPORTING);
        }
        if (!images.update(locked.build(), image.status())) {
            lifecycle.finish(created, TaskStatus.FAILURE, "Image changed while the import was requested");
            throw GlintException.conflict("New operation on image '" + id + "' is not permitted as prior operation is "
                    + "still in progress");
        }
        ImportPlan plan = new ImportPlan(created, id, req.method(), req.uri(), targets, req.allStoresMustSucceed(), copy, ctx);
        runner.execute(() -> {
            // the task's log lines and its calls to other services carry the request that started it
            try (RequestIds.Scope bound = RequestIds.bind(plan.requester())) {
                task.run(plan);
            }
        });
        return Optional.of(created);
    }

    /**
     * Stops taking tasks and interrupts the running ones, which fail and revert their images; waits a little for
     * that. A task that could not finish reverting is still pending or processing and is recovered at next start.
     */
    @Override
    public void close() {
        runner.shutdownNow();
        try {
            if (!runner.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("import tasks still running at shutdown; they are recovered at the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
