package glint.data;

import java.util.OptionalLong;

/**
 * What an upload may be: at most {@code sizeCap} bytes (Glance's {@code image_size_cap}), at most
 * {@code quotaRemaining} bytes if the owner has a storage quota, within what its {@code allowance} grants as it
 * streams (a project's quota, reserved in the database), and exactly {@code expectedSize} bytes if the client
 * announced a size ({@code Content-Length}, or {@code x-openstack-image-size} with a chunked body).
 */
public record UploadLimits(long sizeCap, OptionalLong quotaRemaining, OptionalLong expectedSize, ByteAllowance allowance) {
    public UploadLimits {
        if (sizeCap < 0) {
            throw new IllegalArgumentException("negative size cap: " + sizeCap);
        }
    }

    public UploadLimits(long sizeCap, OptionalLong quotaRemaining, OptionalLong expectedSize) {
        this(sizeCap, quotaRemaining, expectedSize, ByteAllowance.NONE);
    }

    public static UploadLimits of(long sizeCap) {
        return new UploadLimits(sizeCap, OptionalLong.empty(), OptionalLong.empty());
    }

    public UploadLimits withQuotaRemaining(long remaining) {
        return new UploadLimits(sizeCap, OptionalLong.of(remaining), expectedSize, allowance);
    }

    public UploadLimits withExpectedSize(OptionalLong size) {
        return new UploadLimits(sizeCap, quotaRemaining, size, allowance);
    }

    public UploadLimits withAllowance(ByteAllowance quota) {
        return new UploadLimits(sizeCap, quotaRemaining, expectedSize, quota);
    }
}
