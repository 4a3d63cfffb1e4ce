package glint.quota;

import java.util.Map;

/**
 * What quotas count, in the database (implemented by {@code glint.db.JdbcQuotaRepository}): usage as Glance computes
 * it from the image records (glance/db/sqlalchemy/api.py {@code user_get_*}) plus the bytes reserved by data being
 * written, and those reservations.
 */
public interface QuotaStore {
    /** The project's usage of every resource: bytes (not MiB) for sizes, including live reservations. */
    Map<QuotaResource, Long> usage(String project);

    /**
     * Under the project's lock (one at a time per project, on every node): the project's usage of {@code resource}
     * without reservation {@code reservationId}, and that reservation set to as much of {@code want} bytes as fits
     * under {@code limit} bytes (never less than it had).
     */
    Grant grant(String project, QuotaResource resource, String reservationId, long want, long limit);

    /** The reservation ends (the data is counted by its image now, or is gone). */
    void release(String reservationId);

    /** @param granted bytes the reservation holds now; @param others the usage besides it */
    record Grant(long granted, long others) {}
}
