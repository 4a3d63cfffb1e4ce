package glint.quota;

import glint.data.ByteAllowance;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Glance's quotas, the rules in one place: per-project unified limits ({@code use_keystone_limits}, glance/quota/
 * keystone.py) read through a {@link LimitReader}, or the legacy {@code user_storage_quota} (glance/api/common.py
 * {@code check_quota}), which unified limits replace. Counts are checked in the transaction that adds to them
 * ({@link CountLimit}); bytes as they stream in, against a {@link Reservation}. Usage comes from a {@link QuotaStore}.
 */
public final class Quotas {
    /** No quota at all. */
    public static final Quotas NONE = new Quotas(false, 0, project -> Map.of(), null);

    private final boolean unified;
    private final long userStorageQuota;
    private final LimitReader limits;
    private final QuotaStore store;

    /**
     * @param unified {@code use_keystone_limits}
     * @param userStorageQuota bytes, 0 for none (ignored when {@code unified})
     */
    public Quotas(boolean unified, long userStorageQuota, LimitReader limits, QuotaStore store) {
        this.unified = unified;
        this.userStorageQuota = userStorageQuota;
        this.limits = limits;
        this.store = store;
    }

    /**
     * {@code GET /v2/info/usage} for the project: each resource's limit (MiB for sizes) and usage (whole MiB, rounded
     * down, as Glance); nothing without unified limits, as Glance.
     */
    public Map<QuotaResource, Usage> usage(String project) {
        Map<QuotaResource, Usage> out = new LinkedHashMap<>();
        if (!unified || project == null) {
            return out;
        }
        Map<QuotaResource, Long> limit = limits.limits(project);
        Map<QuotaResource, Long> used = store.usage(project);
        for (QuotaResource r : QuotaResource.values()) {
            long u = used.getOrDefault(r, 0L);
            out.put(r, new Usage(limit.getOrDefault(r, 0L), r.bytes() ? u / QuotaResource.MIB : u));
        }
        return out;
    }

    /** One resource's limit and usage, in Glance's units. */
    public record Usage(long limit, long usage) {}

    /**
     * The count quota a write by {@code project} must stay within ({@code image_count_total} when an image is created,
     * {@code image_count_uploading} when one starts to take data); empty without unified limits or without a limit.
     */
    public Optional<CountLimit> countLimit(String project, QuotaResource resource) {
        if (!unified || project == null) {
            return Optional.empty();
        }
        long limit = limits.limits(project).getOrDefault(resource, 0L);
        return limit < 0 ? Optional.empty() : Optional.of(new CountLimit(project, resource, limit));
    }

    /**
     * A counted write found the count at its limit: Glance's 413. {@code image_count_total} is checked before the
     * write with delta 1, {@code image_count_uploading} after it with delta 0 (the image counts itself); the message
     * says what Glance's would.
     */
    public GlintException countExceeded(CountLimit limit, long before) {
        boolean after = limit.resource() == QuotaResource.IMAGE_COUNT_UPLOADING;
        return overLimit(limit.project(), limit.resource(), limit.limit(), after ? before + 1 : before, after ? 0 : 1);
    }

    /**
     * What an upload or import copy of {@code project} may store in the image stores ({@code image_size_total}, or
     * {@code user_storage_quota}), reserved as {@code reservationId} (the data's journal entry).
     */
    public ByteAllowance storage(String project, String reservationId) {
        if (project == null) {
            return ByteAllowance.NONE;
        }
        if (!unified) {
            if (userStorageQuota <= 0) {
                return ByteAllowance.NONE;
            }
            // Glance: StorageQuotaFull, rendered by image_data.py upload()
            return new Reservation(store, project, QuotaResource.IMAGE_SIZE_TOTAL, reservationId, userStorageQuota,
                    (total, grant) -> Reservation.tooLarge("Image exceeds the storage quota: The size of the data " + total
                            + " will exceed the limit. " + Math.max(0, userStorageQuota - grant.others()) + " bytes remaining."));
        }
        return unifiedAllowance(project, QuotaResource.IMAGE_SIZE_TOTAL, reservationId);
    }

    /** What a stage or a download to staging of {@code project} may put in staging ({@code image_stage_total}). */
    public ByteAllowance staging(String project, String reservationId) {
        if (!unified || project == null) {
            return ByteAllowance.NONE;
        }
        return unifiedAllowance(project, QuotaResource.IMAGE_STAGE_TOTAL, reservationId);
    }

    /**
     * Glance's check with a known delta (bytes; glance/quota/keystone.py): 413 when the project's usage of the
     * resource plus {@code deltaBytes} passes its limit — the import request ({@code image_size_total}, delta 0) and
     * an import task's start.
     */
    public void check(String project, QuotaResource resource, long deltaBytes) {
        if (!unified || project == null) {
            return;
        }
        long limit = limits.limits(project).getOrDefault(resource, 0L);
        if (limit < 0) {
            return;
        }
        long used = store.usage(project).getOrDefault(resource, 0L);
        if (resource.bytes()) {
            if (used + deltaBytes > limit * QuotaResource.MIB) {
                throw overLimit(project, resource, limit, used / QuotaResource.MIB, deltaMib(used, deltaBytes));
            }
        } else if (used + deltaBytes > limit) {
            throw overLimit(project, resource, limit, used, deltaBytes);
        }
    }

    /** The reservation ends: its data is counted by its image now (a stage), or is gone. */
    public void release(String reservationId) {
        if (store != null) {
            store.release(reservationId);
        }
    }

    private ByteAllowance unifiedAllowance(String project, QuotaResource resource, String reservationId) {
        long limit = limits.limits(project).getOrDefault(resource, 0L);
        if (limit < 0) {
            return ByteAllowance.NONE;
        }
        return new Reservation(store, project, resource, reservationId, limit * QuotaResource.MIB,
                (total, grant) -> overLimit(project, resource, limit, grant.others() / QuotaResource.MIB,
                        deltaMib(grant.others(), total)));
    }

    /**
     * The delta in MiB of {@code bytes} over a usage of {@code used} bytes, so that Glance's "current usage U and
     * delta D" (U rounded down) adds up past the limit: Glance rounds its delta down too, and only checks whole MiB.
     */
    private static long deltaMib(long used, long bytes) {
        if (bytes == 0) {
            return 0;
        }
        return ceilDiv(used + bytes, QuotaResource.MIB) - used / QuotaResource.MIB;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Glance's {@code LimitExceeded} around oslo.limit's {@code ProjectOverLimit} (glance/common/exception.py,
     * oslo_limit/exception.py), answered 413 with this text.
     */
    static GlintException overLimit(String project, QuotaResource resource, long limit, long usage, long delta) {
        return new GlintException(ErrorKind.TOO_LARGE, "The request returned a 413 Request Entity Too Large. This generally "
                + "means that rate limiting or a quota threshold was breached.\n\nThe response body:\nProject " + project
                + " is over a limit for [Resource " + resource.wire() + " is over limit of " + limit + " due to current usage "
                + usage + " and delta " + delta + "]");
    }
}
