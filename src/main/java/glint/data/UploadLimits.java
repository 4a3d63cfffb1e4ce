package glint.data;

import java.util.OptionalLong;

/**
 * What an upload may be: at most {@code sizeCap} bytes (Glance's {@code image_size_cap}), at most
 * {@code quotaRemaining} bytes if the owner has a storage quota, and exactly {@code expectedSize} bytes if the client
 * announced a size ({@code Content-Length}, or {@code x-openstack-image-size} with a chunked body).
 */
public record UploadLimits(long sizeCap, OptionalLong quotaRemaining, OptionalLong expectedSize) {
    public UploadLimits {
        if (sizeCap < 0) {
            throw new IllegalArgumentException("negative size cap: " + sizeCap);
        }
    }

    public static UploadLimits of(long sizeCap) {
        return new UploadLimits(sizeCap, OptionalLong.empty(), OptionalLong.empty());
    }

    public UploadLimits withQuotaRemaining(long remaining) {
        return new UploadLimits(sizeCap, OptionalLong.of(remaining), expectedSize);
    }

    public UploadLimits withExpectedSize(OptionalLong size) {
        return new UploadLimits(sizeCap, quotaRemaining, size);
    }
}
