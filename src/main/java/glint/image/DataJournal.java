package glint.image;

import java.util.List;

/** The crash journal of image data (table {@code pending_data}); see the V1 migration for its contract. */
public interface DataJournal {
    void add(PendingData entry);

    void remove(String id);

    List<PendingData> ofNode(String node);
}
