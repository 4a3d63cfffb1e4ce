package glint.store.s3;

import glint.store.BlobNames;

/**
 * Where an s3 store keeps blobs and how it names them: glance_store's layout, one object per image at the top of the
 * bucket, so that Glance and Glint read each other's buckets.
 * <pre>
 *   BUCKET/&lt;image-id&gt;                        committed blob; location s3://HOST/BUCKET/&lt;image-id&gt;
 *                                            (s3+https://… when s3_store_host is https)
 *   multipart upload to key &lt;image-id&gt;       blob being written, from its first full part on; completed by commit(),
 *                                            aborted by abort(), after a crash by delete(location) (the journal
 *                                            names it) or by cleanup() once no part came for the age bound
 * </pre>
 * A blob that ends before its first part is full (and below {@code s3_store_large_object_size}) goes up in one PUT at
 * commit: until then nothing of it is on the service. HOST is {@code s3_store_host} without its scheme, as
 * glance_store's {@code s3serviceurl}.
 *
 * <p>Locations carry no credentials, unlike glance_store's {@code s3://ACCESS:SECRET@HOST/BUCKET/KEY}: the database
 * (and its backups, and every {@code pending_data} row) then holds no secret, the keys can rotate without rewriting
 * locations, and the store signs every request with its configured keys. glance_store's own parser reads this form
 * too ({@code StoreLocation.parse_uri} without {@code @}).
 */
final class S3Layout {
    private final String prefix;

    S3Layout(S3Options options) {
        this.prefix = (options.https() ? "s3+https" : "s3") + "://" + options.locationHost() + "/" + options.bucket() + "/";
    }

    /** The object key of a blob: its name. */
    static String key(String imageId) {
        return BlobNames.requireValid(imageId);
    }

    String location(String key) {
        return prefix + key;
    }

    /** The key of a location this store issued; null for any other location. */
    String keyOf(String location) {
        if (location == null || !location.startsWith(prefix)) {
            return null;
        }
        String key = location.substring(prefix.length());
        return BlobNames.valid(key) ? key : null;
    }
}
