package glint.image.imports;

import glint.error.GlintException;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.PendingData;
import glint.quota.QuotaResource;
import glint.quota.Quotas;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs import tasks, one {@link #run} a task (Glance's {@code api_image_import} flow,
 * glance/async_/flows/api_image_import.py): the data from the method's {@link ImportSource}; the
 * {@link ImportStep}s (Glance's import plugins; not for copy-image); each target store in order
 * ({@link StoreImport}). On success the image is active, the staged data removed and the lock dropped; on failure
 * ({@code all_stores_must_succeed}, the image deleted, or no store done) the image is reverted ({@link ImportRevert})
 * and the staged data removed.
 */
public final class ImportTask {
    private static final Logger LOG = LoggerFactory.getLogger(ImportTask.class);

    private final TaskLifecycle lifecycle;
    private final ImportImages images;
    private final Map<String, ImportSource> sources;
    private final List<ImportStep> steps;
    private final StoreImport storeImport;
    private final ImportRevert revert;
    private final ImportBlobs blobs;

    /**
     * @param sources the source of each import method
     * @param steps what runs, in order, between the data in staging and the stores (possibly nothing)
     */
    public ImportTask(TaskLifecycle lifecycle, ImportImages images, Map<String, ImportSource> sources,
                      List<ImportStep> steps, StoreImport storeImport, ImportRevert revert, ImportBlobs blobs) {
        this.lifecycle = lifecycle;
        this.images = images;
        this.sources = Map.copyOf(sources);
        this.steps = List.copyOf(steps);
        this.storeImport = storeImport;
        this.revert = revert;
        this.blobs = blobs;
    }

    void run(ImportPlan plan) {
        Optional<Task> begun = lifecycle.begin(plan.task());
        if (begun.isEmpty()) {
            return; // failed meanwhile (lock taken over, or recovered)
        }
        Task task = begun.get();
        // the image as the request locked it for this task (Glance's flow saves it as it starts)
        images.find(plan.imageId()).ifPresent(images.events()::updated);
        Optional<PendingData> staged = Optional.empty();
        List<ImageLocation> written = new ArrayList<>();
        try {
            checkQuotas(plan);
            ImportSource.Data data = source(plan.method()).acquire(plan);
            staged = data.staged();
            if (!plan.copy()) {
                for (ImportStep step : steps) {
                    data = step.apply(plan, data);
                    staged = data.staged();
                }
            }
            toStores(plan, data, written);
            if (!plan.copy() && images.current(plan.imageId()).status() != ImageStatus.ACTIVE) {
                throw new ImportFailed("None of the uploads finished!");
            }
            finishSource(plan, false);
            images.save(plan.imageId(), img -> ImportProperties.unlocked(img, task.id()));
            staged.ifPresent(blobs::remove);
            lifecycle.finish(task, TaskStatus.SUCCESS, "");
            lifecycle.events().ran(plan.task());
            LOG.info("task {}: image {} imported ({}) to {}", task.id(), plan.imageId(), plan.method(), plan.stores());
        } catch (Exception e) {
            // data refused (format inspection, size cap) says why, where Glance says "Task failed due to Internal Error"
            boolean known = e instanceof ImportFailed || e instanceof GlintException;
            String message = known ? e.getMessage() : "Error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("task {}: import of image {} ({}) failed: {}", task.id(), plan.imageId(), plan.method(), message,
                    known ? null : e);
            finishSource(plan, true);
            revert.revert(plan, written);
            staged.ifPresent(blobs::remove);
            lifecycle.finish(task, TaskStatus.FAILURE, message);
        }
    }

    /**
     * Glance's checks once the task has marked the image (api_image_import.py {@code get_flow}, {@code assert_quota}):
     * glance-direct must fit the staged size in {@code image_size_total}; the methods that use staging must fit the
     * image's size in {@code image_stage_total} and be within {@code image_count_uploading}, which counts the image
     * itself. A refusal fails the task with Glance's message and reverts the image. The data is then checked again,
     * as it streams, against what the project has left.
     */
    private void checkQuotas(ImportPlan plan) {
        Quotas quotas = blobs.quotas();
        String project = plan.requester().projectId();
        long size = images.current(plan.imageId()).size().orElse(0L);
        if (plan.method().equals(ImportRequest.GLANCE_DIRECT)) {
            quotas.check(project, QuotaResource.IMAGE_SIZE_TOTAL, size);
        } else {
            quotas.check(project, QuotaResource.IMAGE_STAGE_TOTAL, size);
            quotas.check(project, QuotaResource.IMAGE_COUNT_UPLOADING, 0);
        }
    }

    /** {@link ImportSource#finish}; what fails there is logged and the task ends all the same. */
    private void finishSource(ImportPlan plan, boolean failed) {
        ImportSource source = sources.get(plan.method());
        if (source == null) {
            return;
        }
        try {
            source.finish(plan, failed);
        } catch (RuntimeException e) {
            LOG.warn("task {}: ending the {} source of image {} failed", plan.task().id(), plan.method(), plan.imageId(), e);
        }
    }

    private ImportSource source(String method) {
        ImportSource source = sources.get(method);
        if (source == null) {
            throw new ImportFailed("Import method " + method + " has no source");
        }
        return source;
    }

    /** Each target store in order; the image turns active with the last one (any one, unless all must succeed). */
    private void toStores(ImportPlan plan, ImportSource.Data data, List<ImageLocation> written) throws IOException {
        for (int i = 0; i < plan.stores().size(); i++) {
            String storeId = plan.stores().get(i);
            boolean setActive = !plan.copy() && (!plan.mustSucceed() || i == plan.stores().size() - 1);
            try {
                written.add(storeImport.importTo(plan, storeId, data, setActive));
            } catch (RuntimeException | IOException e) {
                // refused data is refused by every store: not a store's failure to skip; but once a store has the data
                // (and the image is active there: all_stores_must_succeed false), a refusal by a later copy (the
                // project's image_size_total passed by it) is that copy's failure, as any other, and the image keeps
                // the stores done (failing the task would revert them and leave the image active without data)
                boolean refused = e instanceof GlintException && written.isEmpty();
                if (plan.mustSucceed() || e instanceof ImageDeletedDuringImport || refused) {
                    throw e;
                }
                LOG.warn("task {}: import of image {} to store {} failed; all_stores_must_succeed is false, continuing",
                        plan.task().id(), plan.imageId(), storeId, e);
                storeImport.markFailed(plan, storeId);
            }
        }
    }
}
