package glint.image.imports;

import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.PendingData;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failed task's image put back (the reverts of Glance's import flow, glance/async_/flows/api_image_import.py, and
 * {@code ImportActionWrapper.drop_lock_for_task}): the stores it wrote are given up, their data journalled in the
 * same transaction and then removed; its stores still importing are marked failed; the image goes back to queued
 * unless copy-image; the lock is dropped.
 */
public final class ImportRevert {
    private static final Logger LOG = LoggerFactory.getLogger(ImportRevert.class);

    private final ImportImages images;
    private final ImportBlobs blobs;
    private final ImportProperties props;

    public ImportRevert(ImportImages images, ImportBlobs blobs, ImportProperties props) {
        this.images = images;
        this.blobs = blobs;
        this.props = props;
    }

    /** The task failed after writing {@code written}. */
    void revert(ImportPlan plan, List<ImageLocation> written) {
        revert(plan.imageId(), plan.task().id(), plan.copy(), cur -> written, props.multiStore() ? plan.stores() : List.of());
    }

    /**
     * @param written the locations given up, from the image as it is now
     * @param targets the stores the task was to import to ({@code "*"}: any), marked failed if still importing
     */
    void revert(String imageId, String taskId, boolean copy, Function<Image, List<ImageLocation>> written,
                List<String> targets) {
        Optional<Image> saved = images.rewrite(imageId, null, cur -> reverted(cur, taskId, copy, written.apply(cur), targets),
                (cur, next) -> detach(cur, next, written.apply(cur)));
        if (saved.isPresent()) {
            images.events().updated(saved.get());
        } else if (images.find(imageId).isPresent()) {
            LOG.warn("image {} kept changing; the failed import task {} could not revert it", imageId, taskId);
        }
    }

    /** Saves {@code next}, journalling the data given up in the same transaction; then removes that data. */
    private boolean detach(Image cur, Image next, List<ImageLocation> given) {
        List<PendingData> released = given.stream().map(l -> blobs.released(cur.id(), l)).toList();
        if (!images.detach(cur, next, released)) {
            return false;
        }
        released.forEach(blobs::remove);
        return true;
    }

    private Image reverted(Image cur, String taskId, boolean copy, List<ImageLocation> written, List<String> targets) {
        List<String> importing = ImportProperties.importing(cur, targets);
        // what was still to do is marked failed (Glance marks the store that raised; the ones after it never ran)
        Image next = ImportProperties.unlocked(props.progress(cur, importing, importing), taskId);
        List<ImageLocation> kept = cur.locations().stream().filter(l -> !written.contains(l)).toList();
        Image.Builder b = next.toBuilder().locations(kept);
        if (!copy && (cur.status() == ImageStatus.IMPORTING || cur.status() == ImageStatus.UPLOADING)) {
            b = ImportProperties.unstaged(b.build()).toBuilder().checksum(Optional.empty()).osHashAlgo(Optional.empty())
                    .osHashValue(Optional.empty()).virtualSize(Optional.empty());
        }
        return b.build();
    }
}
