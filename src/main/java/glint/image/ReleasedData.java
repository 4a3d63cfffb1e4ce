package glint.image;

import java.util.List;
import java.util.UUID;

/**
 * The data an image gives up with its locations (a PATCH {@code remove}, {@code DELETE /v2/stores/…}): journalled in
 * the transaction that saves the image without them ({@link #entries}), removed right after ({@link #remove}), or at
 * this node's next start if it dies in between. Only owned locations release data: a location a client added names
 * data Glint must not delete.
 */
public final class ReleasedData {
    /** For services that never give data up. */
    public static final ReleasedData NONE = new ReleasedData(null, null);

    private final DataRemoval removal;
    private final String node;

    public ReleasedData(DataRemoval removal, String node) {
        this.removal = removal;
        this.node = node;
    }

    /** The journal entries of the owned ones among {@code locations} of image {@code imageId}. */
    public List<PendingData> entries(String imageId, List<ImageLocation> locations) {
        List<PendingData> entries = locations.stream().filter(ImageLocation::owned)
                .map(l -> new PendingData(UUID.randomUUID().toString(), l.storeId(), l.key(), imageId, node)).toList();
        if (!entries.isEmpty() && removal == null) {
            throw new IllegalStateException("no data removal configured for the data of image " + imageId);
        }
        return entries;
    }

    /** Removes the data of entries saved with the image. */
    public void remove(List<PendingData> entries) {
        for (PendingData entry : entries) {
            removal.remove(entry);
        }
    }
}
