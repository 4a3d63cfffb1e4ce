package glint.image;

import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The order of an image's locations as every reader sees it: Glance's {@code sort_image_locations}
 * (glance/common/utils.py, applied where images are read from the database): by the {@code weight} of their store,
 * heaviest first, locations of equal weight in the order they were added. Downloads try them in this order, and
 * {@code direct_url} is the first.
 */
@FunctionalInterface
public interface LocationOrder {
    /** The order locations were added in (no weights). */
    LocationOrder AS_STORED = locations -> locations;

    List<ImageLocation> sort(List<ImageLocation> locations);

    static LocationOrder byWeight(ToIntFunction<String> weightOfStore) {
        Comparator<ImageLocation> heaviestFirst = Comparator.comparingInt(l -> -weightOfStore.applyAsInt(l.storeId()));
        return locations -> locations.stream().sorted(heaviestFirst).toList();
    }
}
