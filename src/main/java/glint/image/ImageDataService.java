package glint.image;

import glint.auth.RequestContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image data: upload, download, and removal of data with the crash journal ({@link DataJournal}), so that a
 * crash at any moment leaves neither an active image without its data nor data without an image once
 * {@link #recover()} has run.
 */
public final class ImageDataService {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDataService.class);

    private final ImageService images;
    private final DataJournal journal;
    private final String node;

    public ImageDataService(ImageService images, DataJournal journal, String node) {
        this.images = images;
        this.journal = journal;
        this.node = node;
    }

    public void delete(RequestContext ctx, String id) {
        List<PendingData> orphans = images.delete(ctx, id, node);
        orphans.forEach(this::removeData);
    }

    /** Start-up housekeeping: removes the data of this node's journal entries (uploads cut short, deletes not finished). */
    public void recover() {
        for (PendingData entry : journal.ofNode(node)) {
            removeData(entry);
        }
    }

    private void removeData(PendingData entry) {
        // Stores land with the byte path; until then there is no data to remove.
        journal.remove(entry.id());
        LOG.debug("removed data {} of image {}", entry.location(), entry.imageId());
    }
}
