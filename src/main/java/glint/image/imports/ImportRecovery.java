package glint.image.imports;

import glint.image.ImageStatus;
import glint.image.PendingData;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery of imports, at start and before ImageDataService.recover() (which then removes the data this gives
 * up): this node's tasks left pending or processing fail ("Glint restarted"), their images reverted as a failed task
 * would ({@link ImportRevert}: importing → queued, stores not finished marked failed, lock dropped); images whose
 * staged data is journalled here go from uploading back to queued, since that data is about to be removed. Stores
 * a task finished before the restart keep their data. Glance has no such step: there a stale lock is only taken
 * over by a later import ({@code _enforce_import_lock}).
 */
public final class ImportRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ImportRecovery.class);

    private final TaskLifecycle lifecycle;
    private final ImportImages images;
    private final ImportBlobs blobs;
    private final ImportRevert revert;
    private final boolean multiStore;

    public ImportRecovery(TaskLifecycle lifecycle, ImportImages images, ImportBlobs blobs, ImportRevert revert,
                          boolean multiStore) {
        this.lifecycle = lifecycle;
        this.images = images;
        this.blobs = blobs;
        this.revert = revert;
        this.multiStore = multiStore;
    }

    public void recover() {
        recover(lifecycle.node());
    }

    /**
     * The recovery of {@code node}'s imports: this node's at start, or those of a node that died, once its lease
     * expired ({@link glint.cluster.NodeLease}).
     */
    public void recover(String node) {
        for (Task t : lifecycle.unfinished(node)) {
            if (t.type().equals(LocationImportTask.TYPE)) {
                continue; // LocationImportTask.recover
            }
            LOG.warn("task {} (image {}) was in flight at the last stop; failing it", t.id(), t.imageId().orElse("-"));
            boolean copy = isCopy(t);
            // an image still importing had no data before the task: whatever the task wrote is given up
            boolean holdsLock = t.imageId().flatMap(images::find)
                    .map(i -> !ImportProperties.lockedByOther(i, t.id())).orElse(false);
            t.imageId().filter(id -> holdsLock).ifPresent(id -> revert.revert(id, t.id(), copy,
                    img -> !copy && img.status() == ImageStatus.IMPORTING ? img.locations() : List.of(),
                    List.of(multiStore ? "*" : "")));
            lifecycle.finish(t, TaskStatus.FAILURE, lifecycle.stoppedMessage(node));
        }
        for (PendingData p : blobs.stagedBy(node)) {
            images.saveIf(p.imageId(), ImageStatus.UPLOADING, ImportProperties::unstaged);
        }
    }

    /** The task's {@code input.import_req.method.name} is copy-image. */
    private static boolean isCopy(Task t) {
        return Optional.ofNullable(t.input().get("import_req")).filter(Map.class::isInstance)
                .map(r -> ((Map<?, ?>) r).get("method")).filter(Map.class::isInstance)
                .map(m -> ImportRequest.COPY_IMAGE.equals(((Map<?, ?>) m).get("name"))).orElse(false);
    }
}
