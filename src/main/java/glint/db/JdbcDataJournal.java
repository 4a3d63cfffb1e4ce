package glint.db;

import glint.image.DataJournal;
import glint.image.PendingData;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The {@code pending_data} table. */
public final class JdbcDataJournal implements DataJournal {
    private static final String SELECT = "SELECT id, store, location, image_id, node FROM pending_data";
    private static final RowSql.Row<PendingData> ROW = r -> new PendingData(r.getString(1), r.getString(2), r.getString(3),
            r.getString(4), r.getString(5));

    private final Database db;
    private final RowSql sql;

    public JdbcDataJournal(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
    }

    @Override
    public void add(PendingData entry) {
        db.write(c -> {
            add(c, entry);
            return null;
        });
    }

    @Override
    public void remove(String id) {
        db.write(c -> {
            remove(c, id);
            return null;
        });
    }

    @Override
    public List<PendingData> ofNode(String node) {
        return sql.query(SELECT + " WHERE node = ? ORDER BY created_at", ROW, node);
    }

    @Override
    public boolean contains(String id) {
        return db.read(c -> RowSql.exists(c, "SELECT 1 FROM pending_data WHERE id = ?", id));
    }

    @Override
    public List<PendingData> ofImage(String imageId) {
        return sql.query(SELECT + " WHERE image_id = ? ORDER BY created_at", ROW, imageId);
    }

    @Override
    public boolean adopt(String id, String from, String to) {
        return sql.execute("UPDATE pending_data SET node = ? WHERE id = ? AND node = ?", to, id, from) == 1;
    }

    static void add(Connection c, PendingData entry) throws SQLException {
        RowSql.execute(c, "INSERT INTO pending_data (id, store, location, image_id, node, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                entry.id(), entry.storeId(), entry.location(), entry.imageId(), entry.node(), System.currentTimeMillis());
    }

    /** Whether an entry names {@code location}: data being written, or removed. */
    static boolean names(Connection c, String location) throws SQLException {
        return RowSql.exists(c, "SELECT 1 FROM pending_data WHERE location = ?", location);
    }

    /**
     * Removes the entry, and the quota reservation of its data (V9's quota_reservations), which ends with it; false
     * when the entry was not there (any more).
     */
    static boolean remove(Connection c, String id) throws SQLException {
        boolean removed = RowSql.execute(c, "DELETE FROM pending_data WHERE id = ?", id) == 1;
        QuotaSql.release(c, id);
        return removed;
    }
}
