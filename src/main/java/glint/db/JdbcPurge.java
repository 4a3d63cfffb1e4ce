package glint.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * {@code glint db purge} and {@code glint db purge-images-table} (glance-manage's {@code db purge} and
 * {@code db purge_images_table}, glance/db/sqlalchemy/api.py {@code purge_deleted_rows} and
 * {@code purge_deleted_rows_from_images}): removes rows older than a cut-off, oldest first, at most {@code maxRows} per
 * table (-1: all), in transactions of at most {@value #BATCH} rows so that a large purge holds no long lock.
 *
 * <p>Glint hard-deletes an image's tags, properties, members and locations when it deletes the image, and keeps no
 * soft-deleted metadefs, so the rows {@code db purge} finds are the expired tasks (Glance soft-deletes a task when it
 * expires and purges it by that time; Glint purges by {@code expires_at}). The {@code images} rows of deleted images
 * are left to {@code purge-images-table}, as in Glance since OSSN-0075; that one removes only images that are
 * {@code deleted} (never {@code pending_delete}: the scrubber still needs those), and their ids stay taken in
 * {@code image_ids} (V10), so no new image can ever get a purged image's id.
 */
public final class JdbcPurge {
    static final int BATCH = 1000;

    /** What one table lost. */
    public record Purged(String table, long rows) {}

    private final Database db;

    public JdbcPurge(Database db) {
        this.db = db;
    }

    /** Tasks that expired before {@code cutoff}. */
    public List<Purged> purge(Instant cutoff, long maxRows) {
        long rows = deleteInBatches("SELECT id FROM tasks WHERE expires_at < ? ORDER BY expires_at, id", cutoff, maxRows,
                (c, ids) -> deleteIds(c, "DELETE FROM tasks WHERE id IN (%s)", ids));
        return List.of(new Purged("tasks", rows));
    }

    /** Rows of images deleted (status {@code deleted}) before {@code cutoff}; their ids stay reserved. */
    public Purged purgeImages(Instant cutoff, long maxRows) {
        long rows = deleteInBatches("SELECT id FROM images WHERE status = 'deleted' AND deleted_at < ? "
                + "ORDER BY deleted_at, id", cutoff, maxRows, (c, ids) -> {
                    for (String child : List.of("image_properties", "image_tags", "image_members", "image_locations")) {
                        deleteIds(c, "DELETE FROM " + child + " WHERE image_id IN (%s)", ids);
                    }
                    return deleteIds(c, "DELETE FROM images WHERE status = 'deleted' AND id IN (%s)", ids);
                });
        return new Purged("images", rows);
    }

    private interface BatchDelete {
        int delete(Connection c, List<String> ids) throws SQLException;
    }

    private long deleteInBatches(String select, Instant cutoff, long maxRows, BatchDelete delete) {
        long total = 0;
        while (maxRows < 0 || total < maxRows) {
            int limit = (int) (maxRows < 0 ? BATCH : Math.min(BATCH, maxRows - total));
            int deleted = db.write(c -> {
                List<String> ids = RowSql.upTo(c, limit, select, r -> r.getString(1), cutoff.toEpochMilli());
                return ids.isEmpty() ? 0 : delete.delete(c, ids);
            });
            total += deleted;
            if (deleted < limit) {
                break;
            }
        }
        return total;
    }

    private static int deleteIds(Connection c, String sql, List<String> ids) throws SQLException {
        return RowSql.execute(c, String.format(sql, RowSql.placeholders(ids.size())), ids.toArray());
    }
}
