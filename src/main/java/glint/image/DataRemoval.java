package glint.image;

import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes data the data journal says is no image's: deletes it from its store, then the journal entry. When the
 * store cannot delete it now, or is not configured on this node, the entry stays and the next start tries again.
 */
public final class DataRemoval {
    private static final Logger LOG = LoggerFactory.getLogger(DataRemoval.class);

    private final StoreRegistry stores;
    private final DataJournal journal;

    public DataRemoval(StoreRegistry stores, DataJournal journal) {
        this.stores = stores;
        this.journal = journal;
    }

    /**
     * {@link #remove} after a write that could not be saved with its image, unless the entry is gone: then another
     * node's recovery took it (this node's lease had expired) and removed the data, and the location may since hold
     * a retried upload's data (an s3 key is the image id), which is not this write's to delete.
     */
    public void removeIfJournalled(PendingData entry) {
        if (journal.contains(entry.id())) {
            remove(entry);
        } else {
            LOG.warn("data {} of image {} was recovered by another node meanwhile; leaving that location alone",
                    entry.location(), entry.imageId());
        }
    }

    public void remove(PendingData entry) {
        Optional<BlobStore> store = stores.find(entry.storeId());
        if (store.isEmpty()) {
            LOG.warn("data {} of image {} is in store '{}', which is not configured; keeping the journal entry",
                    entry.location(), entry.imageId(), entry.storeId());
            return;
        }
        try {
            store.get().delete(entry.location());
            journal.remove(entry.id());
        } catch (IOException e) {
            LOG.warn("could not remove data {} of image {}; will retry at next start", entry.location(), entry.imageId(), e);
        }
    }
}
