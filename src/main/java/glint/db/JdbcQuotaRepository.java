package glint.db;

import glint.quota.QuotaResource;
import glint.quota.QuotaStore;
import java.util.Map;

/** The quota tables' SQL ({@code quota_projects}, {@code quota_reservations}, migration V9); see {@link QuotaSql}. */
public final class JdbcQuotaRepository implements QuotaStore {
    private final Database db;

    public JdbcQuotaRepository(Database db) {
        this.db = db;
    }

    @Override
    public Map<QuotaResource, Long> usage(String project) {
        return db.read(c -> QuotaSql.usage(c, project));
    }

    @Override
    public Grant grant(String project, QuotaResource resource, String reservationId, long want, long limit) {
        QuotaSql.ensureProject(db, project);
        return db.write(c -> {
            QuotaSql.lock(c, project);
            long others = QuotaSql.usage(c, project, resource, reservationId);
            long current = RowSql.one(c, "SELECT bytes FROM quota_reservations WHERE id = ?", r -> r.getLong(1), reservationId)
                    .orElse(-1L);
            long granted = Math.max(Math.max(current, 0), Math.min(want, limit - others));
            if (current < 0) {
                RowSql.execute(c, "INSERT INTO quota_reservations (id, project_id, resource, bytes, created_at) "
                        + "VALUES (?, ?, ?, ?, ?)", reservationId, project, resource.wire(), granted, System.currentTimeMillis());
            } else if (granted != current) {
                RowSql.execute(c, "UPDATE quota_reservations SET bytes = ? WHERE id = ?", granted, reservationId);
            }
            return new Grant(granted, others);
        });
    }

    @Override
    public void release(String reservationId) {
        db.write(c -> {
            QuotaSql.release(c, reservationId);
            return null;
        });
    }
}
