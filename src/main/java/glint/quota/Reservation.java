package glint.quota;

import glint.data.ByteAllowance;
import glint.error.ErrorKind;
import glint.error.GlintException;

/**
 * The bytes one upload, stage or import copy holds against a project's byte quota while it streams: a row of the
 * database ({@link QuotaStore#grant}) that grows ahead of the data, so that the sum of the project's usage and of
 * every reservation never passes the limit, on any node. With an announced size it holds exactly that size from the
 * start; otherwise it asks for an eighth more than received (at least 1 MiB, at most 256 MiB) each time the data
 * passes it, so that a concurrent upload is refused at most that much early, and a 1 TiB upload makes about 130
 * grants. The data refused is the piece that crossed what the project has left. It ends with the data's journal
 * entry ({@code pending_data}), or by {@link QuotaStore#release}.
 */
final class Reservation implements ByteAllowance {
    static final long MIN_STEP = QuotaResource.MIB;
    static final long MAX_STEP = 256 * QuotaResource.MIB;

    private final QuotaStore store;
    private final String project;
    private final QuotaResource resource;
    private final String id;
    private final long limitBytes;
    private final Refusal refusal;
    private long granted = -1;

    /** What a refusal says: Glance's message for the kind of quota. */
    @FunctionalInterface
    interface Refusal {
        GlintException of(long total, QuotaStore.Grant grant);
    }

    Reservation(QuotaStore store, String project, QuotaResource resource, String id, long limitBytes, Refusal refusal) {
        this.store = store;
        this.project = project;
        this.resource = resource;
        this.id = id;
        this.limitBytes = limitBytes;
        this.refusal = refusal;
    }

    @Override
    public void announce(long size) {
        take(size, size);
    }

    @Override
    public void require(long total) {
        if (granted >= 0 && total <= granted) {
            return;
        }
        long step = Math.min(MAX_STEP, Math.max(MIN_STEP, total / 8));
        take(total, total == 0 ? 0 : total + step);
    }

    private void take(long total, long want) {
        QuotaStore.Grant grant = store.grant(project, resource, id, want, limitBytes);
        granted = grant.granted();
        // usage alone over the limit refuses even an empty upload, as Glance's check with delta 0
        if (grant.granted() < total || grant.others() > limitBytes) {
            throw refusal.of(total, grant);
        }
    }

    static GlintException tooLarge(String message) {
        return new GlintException(ErrorKind.TOO_LARGE, message);
    }
}
