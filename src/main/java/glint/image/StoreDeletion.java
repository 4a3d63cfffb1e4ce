package glint.image;

import glint.auth.RequestContext;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DELETE /v2/stores/{store_id}/{image_id}} (API 2.10): an active image gives up its copy in one store, as
 * Glance's {@code delete_from_store} (glance/api/v2/images.py), with its checks, order and messages. The location goes
 * in a compare-and-set save that journals its data ({@link ReleasedData}); the data is removed after that, so a crash
 * in between leaves the journal entry for the next start, never an orphan. Data Glint did not write for the image (a
 * location a client added) stays where it is.
 */
public final class StoreDeletion {
    private final ImageAccess access;
    private final ImageRepository images;
    private final StoreRegistry stores;
    private final boolean multiStore;
    private final ReleasedData released;
    private final Clock clock;

    public StoreDeletion(ImageAccess access, ImageRepository images, StoreRegistry stores, boolean multiStore,
                         ReleasedData released, Clock clock) {
        this.access = access;
        this.images = images;
        this.stores = stores;
        this.multiStore = multiStore;
        this.released = released;
        this.clock = clock;
    }

    public void delete(RequestContext ctx, String storeId, String imageId) {
        if (!multiStore) {
            throw GlintException.notFound("The resource could not be found.");
        }
        if (stores.all().stream().map(BlobStore::id).noneMatch(storeId::equals)) {
            throw GlintException.conflict("The selected store " + storeId + " is not available on this node.");
        }
        for (int attempt = 1; attempt <= ImageService.WRITE_ATTEMPTS; attempt++) {
            Image image = visible(ctx, imageId);
            access.enforce("get_image_location", ctx, image);
            access.enforce("delete_image_location", ctx, image);
            if (image.status() != ImageStatus.ACTIVE) {
                throw GlintException.conflict("It's not allowed to remove image data from store if image status is not 'active'");
            }
            if (image.locations().size() == 1) {
                throw GlintException.forbidden("Cannot delete image data from the only store containing it. Consider "
                        + "deleting the image instead.");
            }
            List<ImageLocation> kept = new ArrayList<>(image.locations());
            ImageLocation gone = kept.stream().filter(l -> l.storeId().equals(storeId)).findFirst()
                    .orElseThrow(() -> GlintException.notFound("Image " + imageId + " is not stored in store " + storeId + "."));
            kept.remove(gone);
            List<PendingData> entries = released.entries(imageId, List.of(gone));
            Image saved = image.toBuilder().locations(kept).updatedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS)).build();
            if (images.updateMetadata(saved, entries)) {
                released.remove(entries);
                return;
            }
        }
        throw GlintException.conflict("Image " + imageId + " was changed by another request; try again.");
    }

    /** Glance's own message for an image it cannot find here. */
    private Image visible(RequestContext ctx, String imageId) {
        try {
            return access.visible(ctx, imageId);
        } catch (GlintException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw GlintException.notFound("Failed to find image " + imageId);
            }
            throw e;
        }
    }
}
