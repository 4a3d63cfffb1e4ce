package glint.image;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one copy of an image's data lives.
 *
 * @param storeId  the configured store that serves it
 * @param key      the location in the store's URL form ({@code file:///…}, {@code s3://…}, {@code http://…}): Glance's url
 * @param status   Glance's location status ({@code active})
 * @param metadata what Glance keeps with the location beside its store (a client's {@code metadata}, without
 *                 {@code store}, which is {@code storeId}); JSON values
 * @param owned    whether Glint wrote this data for this image (an upload, an import, a copy): only then does removing
 *                 the location, or the image, remove the data. A location a client added names data Glint must never
 *                 delete — a web server's, or another image's (OSSN-0065, OSSN-0090)
 */
public record ImageLocation(String storeId, String key, String status, Map<String, Object> metadata, boolean owned) {
    public ImageLocation {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Data Glint wrote for the image, with no metadata of its own. */
    public ImageLocation(String storeId, String key, String status) {
        this(storeId, key, status, Map.of(), true);
    }
}
