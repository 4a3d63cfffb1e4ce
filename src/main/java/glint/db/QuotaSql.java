package glint.db;

import glint.quota.QuotaResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quota SQL shared by {@link JdbcQuotaRepository} and {@link JdbcImageRepository}'s counted writes: the project lock
 * and Glance's usage queries (glance/db/sqlalchemy/api.py {@code _image_get_disk_usage_by_owner},
 * {@code _image_get_staging_usage_by_owner}, {@code _image_get_count_by_owner},
 * {@code _image_get_uploading_count_by_owner}), plus the reservations of data being written.
 *
 * <p>The lock: a transaction that checks a quota first runs {@code UPDATE quota_projects SET serial = serial + 1} on
 * the project's row, which holds that row's lock (PostgreSQL, MariaDB) or the database's write lock (SQLite,
 * {@code BEGIN IMMEDIATE}) until it ends; its counts come after, so they see every check that committed before it
 * and none can commit between its count and its write. The row is made beforehand in a transaction of its own, so
 * that two first checks of a project do not deadlock on MariaDB's insert locks.
 */
final class QuotaSql {
    private static final String GONE = "('killed', 'deleted', 'pending_delete')";
    private static final String COPYING = "EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = i.id "
            + "AND p.name = 'os_glance_importing_to_stores' AND p.value <> '')";
    private static final String OWNED = " FROM images i WHERE i.owner = ? AND i.deleted = ? AND ";
    private static final Map<QuotaResource, String> USAGE = Map.of(
            QuotaResource.IMAGE_SIZE_TOTAL, "SELECT COALESCE(SUM(i.size * (SELECT COUNT(*) FROM image_locations l "
                    + "WHERE l.image_id = i.id AND l.status <> 'deleted')), 0)" + OWNED + "i.size > 0 AND i.status NOT IN " + GONE,
            QuotaResource.IMAGE_STAGE_TOTAL, "SELECT COALESCE(SUM(i.size), 0)" + OWNED + "i.size > 0 AND (i.status IN "
                    + "('uploading', 'importing') OR (i.status NOT IN " + GONE + " AND " + COPYING + "))",
            QuotaResource.IMAGE_COUNT_TOTAL, "SELECT COUNT(*)" + OWNED + "i.status NOT IN " + GONE,
            QuotaResource.IMAGE_COUNT_UPLOADING, "SELECT COUNT(*)" + OWNED + "(i.status IN ('saving', 'uploading', "
                    + "'importing') OR (i.status NOT IN " + GONE + " AND " + COPYING + "))");
    /** Reservations count only while their data's journal entry exists. */
    private static final String RESERVED = "SELECT COALESCE(SUM(r.bytes), 0) FROM quota_reservations r "
            + "JOIN pending_data d ON d.id = r.id WHERE r.project_id = ? AND r.resource = ? AND r.id <> ?";

    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private QuotaSql() {}

    /** Makes the project's lock row, in a transaction of its own, once per project and process. */
    static void ensureProject(Database db, String project) {
        if (KNOWN.contains(project)) {
            return;
        }
        String sql = switch (db.dialect()) {
            case SQLITE -> "INSERT OR IGNORE INTO quota_projects (project_id, serial) VALUES (?, 0)";
            case POSTGRESQL -> "INSERT INTO quota_projects (project_id, serial) VALUES (?, 0) ON CONFLICT DO NOTHING";
            case MARIADB -> "INSERT IGNORE INTO quota_projects (project_id, serial) VALUES (?, 0)";
        };
        db.write(c -> RowSql.execute(c, sql, project));
        KNOWN.add(project);
    }

    /** Takes the project's lock for the rest of the transaction; {@link #ensureProject} ran before it. */
    static void lock(Connection c, String project) throws SQLException {
        if (RowSql.execute(c, "UPDATE quota_projects SET serial = serial + 1 WHERE project_id = ?", project) != 1) {
            throw new SQLException("no quota_projects row for project " + project);
        }
    }

    /** The project's usage of {@code resource}: bytes or images, with the reservations but {@code except}'s. */
    static long usage(Connection c, String project, QuotaResource resource, String except) throws SQLException {
        long used = RowSql.single(c, USAGE.get(resource), r -> r.getLong(1), project, false);
        if (resource.bytes()) {
            used += RowSql.single(c, RESERVED, r -> r.getLong(1), project, resource.wire(), except);
        }
        return used;
    }

    static Map<QuotaResource, Long> usage(Connection c, String project) throws SQLException {
        Map<QuotaResource, Long> out = new EnumMap<>(QuotaResource.class);
        for (QuotaResource r : QuotaResource.values()) {
            out.put(r, usage(c, project, r, ""));
        }
        return out;
    }

    /** Ends a reservation (with its data's journal entry, or when its data is counted by the image). */
    static void release(Connection c, String id) throws SQLException {
        RowSql.execute(c, "DELETE FROM quota_reservations WHERE id = ?", id);
    }
}
