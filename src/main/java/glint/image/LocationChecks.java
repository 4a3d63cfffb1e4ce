package glint.image;

import glint.error.GlintException;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a location a client names may become one of an image's: Glance's {@code _check_location_uri} and
 * {@code validate_external_location} (glance/location.py, glance/common/store_utils.py). The URL must be one a
 * configured store serves, by a scheme clients may name ({@code file} never: LP #942118), pass the http store's
 * import filter (the store checks it before any request, as Debian's Glance), and have data there (size above 0).
 * Glint adds one rule: it must not name data Glint keeps for an image (OSSN-0065: a client could otherwise read a
 * private image's data through an image of its own).
 */
public final class LocationChecks {
    private static final Logger LOG = LoggerFactory.getLogger(LocationChecks.class);
    /** glance/common/store_utils.py {@code RESTRICTED_URI_SCHEMAS}. */
    static final Set<String> RESTRICTED = Set.of("file", "filesystem", "swift+config");

    private final StoreRegistry stores;
    private final ImageRepository images;

    public LocationChecks(StoreRegistry stores, ImageRepository images) {
        this.stores = stores;
        this.images = images;
    }

    /** A location that passed, and the size of its data. */
    public record Checked(ImageLocation location, long size) {}

    /**
     * @param metadata the client's metadata; its {@code store}, if any, is replaced by the store that serves the URL
     * @throws GlintException 400 "Invalid location" otherwise, as Glance's BadStoreUri
     */
    public Checked check(String url, Map<String, Object> metadata) {
        BlobStore store = external(url).orElseThrow(LocationChecks::invalid);
        if (images.holdsData(url)) {
            LOG.info("location {} refused: it names data Glint keeps for an image", url);
            throw invalid();
        }
        long size;
        try {
            size = store.size(url);
        } catch (IOException e) {
            LOG.info("location {} refused: {}", url, e.getMessage());
            throw invalid();
        }
        if (size <= 0) {
            throw invalid();
        }
        return new Checked(new ImageLocation(store.id(), url, "active", withoutStore(metadata), false), size);
    }

    /** The store a client's URL belongs to, when its scheme is one clients may name. */
    private Optional<BlobStore> external(String url) {
        String scheme;
        try {
            scheme = Optional.ofNullable(new URI(url).getScheme()).orElse("").toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
        return scheme.isEmpty() || RESTRICTED.contains(scheme) ? Optional.empty() : stores.serving(url);
    }

    /** The store a location names, for one already on the image (a replace that keeps the URLs). */
    public Optional<String> storeOf(String url) {
        return stores.serving(url).map(BlobStore::id);
    }

    static Map<String, Object> withoutStore(Map<String, Object> metadata) {
        Map<String, Object> m = new LinkedHashMap<>(metadata);
        m.remove("store");
        return m;
    }

    static GlintException invalid() {
        return GlintException.badRequest("Invalid location");
    }
}
