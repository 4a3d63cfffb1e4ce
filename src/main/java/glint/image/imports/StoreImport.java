package glint.image.imports;

import glint.data.UploadResult;
import glint.image.Image;
import glint.image.ImageDataService;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * One target store of a task (Glance's {@code _ImportToStore}, glance/async_/flows/api_image_import.py): the data
 * through the pipeline into the store (size cap, checksum, hash, as an upload), then the location on the image, its
 * journal entry dropped in the same transaction, and the store out of {@code os_glance_importing_to_stores}.
 */
public final class StoreImport {
    private final ImportImages images;
    private final ImportBlobs blobs;
    private final StoreRegistry stores;
    private final ImportProperties props;
    private final Executor threads;

    /** @param threads runs the reader that feeds a stored blob into the pipeline ({@link BlobInput}) */
    public StoreImport(ImportImages images, ImportBlobs blobs, StoreRegistry stores, ImportProperties props, Executor threads) {
        this.images = images;
        this.blobs = blobs;
        this.stores = stores;
        this.props = props;
        this.threads = threads;
    }

    /**
     * @param setActive whether the image turns active with this store (the last one, or with
     *     {@code all_stores_must_succeed} false the first that succeeds); never for copy-image
     * @return the location written
     */
    ImageLocation importTo(ImportPlan plan, String storeId, ImportSource.Data source, boolean setActive) throws IOException {
        BlobStore store = stores.find(storeId).orElseThrow(() -> new ImportFailed("Store " + storeId + " is not configured"));
        Image image = images.current(plan.imageId());
        ImportBlobs.Blob blob = blobs.create(store, plan.imageId());
        images.events().preparing(image, store.id());
        InputStream in;
        try {
            in = BlobInput.open(source.store(), source.location(), source.size(), threads);
        } catch (IOException | RuntimeException e) {
            blobs.abandon(blob);
            throw e;
        }
        UploadResult result;
        try (in) {
            result = blobs.fill(blob, image, in, OptionalLong.of(source.size()),
                    blobs.storageQuota(plan.requester().projectId(), blob));
        }
        ImageLocation location = new ImageLocation(store.id(), blob.writer().location(), "active");
        Optional<Image> saved = images.activate(plan.imageId(), cur -> withLocation(cur, plan, location, result, setActive),
                blob.pending().id());
        if (saved.isEmpty()) {
            blobs.remove(blob.pending());
            if (images.find(plan.imageId()).isEmpty()) {
                throw new ImageDeletedDuringImport();
            }
            throw new ImportFailed("Image " + plan.imageId() + " kept changing during the import");
        }
        // Glance's set_data (image.upload, image.activate when it turned active: the store still importing, as
        // Glance takes it off the list in a save of its own), then that save (image.update)
        Map<String, String> progress = new HashMap<>(saved.get().properties());
        progress.put(ImportProperties.IMPORTING, image.properties().getOrDefault(ImportProperties.IMPORTING, ""));
        images.events().uploaded(saved.get().toBuilder().properties(progress).build(),
                saved.get().status() == ImageStatus.ACTIVE && image.status() != ImageStatus.ACTIVE);
        images.events().updated(saved.get());
        return location;
    }

    /** With {@code all_stores_must_succeed} false a store may fail: it is marked failed and the task goes on. */
    void markFailed(ImportPlan plan, String storeId) {
        images.save(plan.imageId(), img -> props.progress(img, List.of(storeId), List.of(storeId)));
    }

    private Image withLocation(Image cur, ImportPlan plan, ImageLocation location, UploadResult result, boolean setActive) {
        List<ImageLocation> locations = new ArrayList<>(cur.locations());
        locations.add(location);
        Image.Builder next = props.progress(cur, List.of(location.storeId()), List.of()).toBuilder().locations(locations);
        if (!plan.copy()) {
            next.size(Optional.of(result.size())).virtualSize(ImageDataService.virtualSize(result)).checksum(Optional.of(result.md5()))
                    .osHashAlgo(Optional.of(result.hashAlgorithm())).osHashValue(Optional.of(result.hashValue()));
            if (setActive) {
                next.status(ImageStatus.ACTIVE);
            }
        }
        return next.build();
    }
}
