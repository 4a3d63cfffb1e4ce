package glint.image;

import java.util.List;

/** The crash journal of image data (table {@code pending_data}); see the V1 migration for its contract. */
public interface DataJournal {
    void add(PendingData entry);

    void remove(String id);

    List<PendingData> ofNode(String node);

    /** Whether entry {@code id} is still there (no node's recovery removed it). */
    boolean contains(String id);

    /** Every node's entries for the image. */
    List<PendingData> ofImage(String imageId);

    /** Moves entry {@code id} from node {@code from} to node {@code to}; false when it is gone or not {@code from}'s. */
    boolean adopt(String id, String from, String to);
}
