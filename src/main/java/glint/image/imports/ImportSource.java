package glint.image.imports;

import glint.image.PendingData;
import glint.store.BlobStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a task's data comes from, one per import method (the first tasks of Glance's flow in
 * glance/async_/flows/api_image_import.py): {@link StagedSource} for glance-direct, {@link WebDownloadSource} for
 * web-download ({@code _WebDownload}, glance/async_/flows/_internal_plugins/web_download.py), {@link StoreCopySource}
 * for copy-image, {@link GlanceDownloadSource} for glance-download ({@code _ImportMetadata} and
 * {@code _DownloadGlanceImage}, glance/async_/flows/_internal_plugins/glance_download.py).
 */
public interface ImportSource {
    /**
     * The data, readable. A failure ends the task; it is either an {@link ImportFailed} (its message is the task's)
     * or any other exception.
     */
    Data acquire(ImportPlan plan) throws IOException;

    /**
     * The task is ending: when {@code failed}, a source that changed the image beyond its data puts that back here
     * (glance-download's copied metadata, as Glance's {@code _ImportMetadata.revert}); the image is reverted
     * ({@link ImportRevert}) right after. Called once per task that began, either way. By default nothing.
     */
    default void finish(ImportPlan plan, boolean failed) {}

    /**
     * {@code size} bytes at {@code location} in {@code store}; {@code staged}, when the data is in staging for this
     * task, is removed when the task ends.
     */
    record Data(BlobStore store, String location, long size, Optional<PendingData> staged) {}
}
