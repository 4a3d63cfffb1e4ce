package glint.quota;

import java.util.Optional;

/**
 * Glance's unified-limit resources (glance/quota/keystone.py), by their names in Keystone. Sizes are limited in MiB and
 * counted in bytes here; counts are numbers of images.
 */
public enum QuotaResource {
    /** Bytes of the project's images in their stores, once per location (Glance's {@code user_get_storage_usage}). */
    IMAGE_SIZE_TOTAL("image_size_total", true),
    /** Bytes of the project's images in staging: staged, importing, or being copied. */
    IMAGE_STAGE_TOTAL("image_stage_total", true),
    /** The project's images that are not deleted (nor killed). */
    IMAGE_COUNT_TOTAL("image_count_total", false),
    /** The project's images being uploaded, staged, imported or copied. */
    IMAGE_COUNT_UPLOADING("image_count_uploading", false);

    public static final long MIB = 1L << 20;

    private final String wire;
    private final boolean bytes;

    QuotaResource(String wire, boolean bytes) {
        this.wire = wire;
        this.bytes = bytes;
    }

    /** The resource name in Keystone and in {@code /v2/info/usage}. */
    public String wire() {
        return wire;
    }

    /** Whether the resource is data (limited in MiB) rather than images. */
    public boolean bytes() {
        return bytes;
    }

    public static Optional<QuotaResource> fromWire(String name) {
        for (QuotaResource r : values()) {
            if (r.wire.equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
