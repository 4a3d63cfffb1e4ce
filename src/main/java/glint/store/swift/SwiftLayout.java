package glint.store.swift;

import glint.store.BlobNames;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a swift store keeps blobs and how it names them: glance_store's single-tenant layout
 * ({@code SingleTenantStore.create_location} and {@code BaseStore.add}), so that Glance and Glint read and delete
 * each other's images in one container.
 * <pre>
 *   ACCOUNT/CONTAINER/&lt;image-id&gt;           a committed blob: the data itself (a small blob, one PUT), or an empty
 *                                           Dynamic Large Object manifest with X-Object-Manifest: CONTAINER/&lt;image-id&gt;-
 *                                           whose GET is its segments' bytes in name order; location
 *                                           swift+config://REFERENCE/CONTAINER/&lt;image-id&gt;
 *   ACCOUNT/CONTAINER/&lt;image-id&gt;-00001 …     the segments of a large blob, swift_store_large_object_chunk_size bytes each
 *                                           but the last (glance_store's "%s-%05d"); written in order while the image
 *                                           streams in, the manifest last, at commit
 * </pre>
 * ACCOUNT is the storage URL of the reference's project (the catalog's {@code object-store} endpoint, e.g.
 * {@code /v1/AUTH_<project-id>}), REFERENCE is {@code default_swift_reference}. Segments without their manifest are a
 * write not committed (yet, or ever): removed by the writer's abort, by {@code delete(location)} of a journalled
 * location after a crash, or by {@code cleanup()} once the newest is older than the age bound.
 *
 * <p>Locations carry no credentials: glance_store writes {@code swift+config://} locations too when its credentials
 * come from {@code swift_store_config_file}, and resolves the reference from its own configuration, as Glint does.
 *
 * <p>A segment's number has five to nine digits (a blob has at most {@link #MAX_SEGMENTS}: with the smallest chunk
 * of 1 MB that is a petabyte). Names that end like a segment ({@code -} and five to nine digits) are refused: such a
 * blob would be taken for the segment of another. Image ids (UUIDs) never are: their last group has twelve
 * characters, all digits in one UUID of about 280, which a pattern of "five or more digits" took for segment
 * 556689072532 of an image named by the first four groups.
 */
final class SwiftLayout {
    static final int MAX_SEGMENTS = 999_999_999;
    static final Pattern SEGMENT = Pattern.compile("(.+)-(\\d{5,9})");

    private final String container;
    private final String prefix;

    SwiftLayout(SwiftOptions options) {
        this.container = options.container();
        this.prefix = "swift+config://" + options.reference() + "/" + container + "/";
    }

    String container() {
        return container;
    }

    /** The object name of a blob: its name. */
    static String object(String imageId) {
        BlobNames.requireValid(imageId);
        if (SEGMENT.matcher(imageId).matches()) {
            throw new IllegalArgumentException("not a valid blob name for a swift store (it ends like a segment): '" + imageId + "'");
        }
        return imageId;
    }

    /** Segment {@code n} (from 1) of a blob. */
    static String segment(String object, int n) {
        if (n < 1 || n > MAX_SEGMENTS) {
            throw new IllegalArgumentException("segment " + n + " is past a swift blob's " + MAX_SEGMENTS);
        }
        return String.format("%s-%05d", object, n);
    }

    /** The blob a segment name belongs to; null if the name is no segment of a valid blob name. */
    static String segmentOwner(String name) {
        Matcher m = SEGMENT.matcher(name);
        return m.matches() && BlobNames.valid(m.group(1)) && !SEGMENT.matcher(m.group(1)).matches() ? m.group(1) : null;
    }

    /** The value of {@code X-Object-Manifest}: the segments' container and name prefix, as glance_store. */
    String manifest(String object) {
        return container + "/" + object + "-";
    }

    String location(String object) {
        return prefix + object;
    }

    /** The object of a location this store issued; null for any other location. */
    String objectOf(String location) {
        if (location == null || !location.startsWith(prefix)) {
            return null;
        }
        String object = location.substring(prefix.length());
        return BlobNames.valid(object) && !SEGMENT.matcher(object).matches() ? object : null;
    }
}
