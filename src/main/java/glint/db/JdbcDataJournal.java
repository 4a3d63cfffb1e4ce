package glint.db;

import glint.image.DataJournal;
import glint.image.PendingData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The {@code pending_data} table. */
public final class JdbcDataJournal implements DataJournal {
    private final Database db;

    public JdbcDataJournal(Database db) {
        this.db = db;
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
        return db.read(c -> {
            List<PendingData> entries = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, store, location, image_id, node FROM pending_data WHERE node = ? ORDER BY created_at")) {
                s.setString(1, node);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        entries.add(new PendingData(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5)));
                    }
                }
            }
            return entries;
        });
    }

    static void add(Connection c, PendingData entry) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO pending_data (id, store, location, image_id, node, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, entry.id());
            s.setString(2, entry.storeId());
            s.setString(3, entry.location());
            s.setString(4, entry.imageId());
            s.setString(5, entry.node());
            s.setLong(6, System.currentTimeMillis());
            s.executeUpdate();
        }
    }

    /** Whether an entry names {@code location}: data being written, or removed. */
    static boolean names(Connection c, String location) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pending_data WHERE location = ?")) {
            s.setString(1, location);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Removes the entry, and the quota reservation of its data (V9's quota_reservations), which ends with it. */
    static void remove(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM pending_data WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
        }
        QuotaSql.release(c, id);
    }
}
