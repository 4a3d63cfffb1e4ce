package glint.db;

import glint.cluster.NodeLeases;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code node_leases} table (V12). */
public final class JdbcNodeLeases implements NodeLeases {
    private final Database db;

    public JdbcNodeLeases(Database db) {
        this.db = db;
    }

    @Override
    public void register(String node, Instant expires, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE node_leases SET lease_expires = ?, recovered_by = NULL, started_at = ? WHERE node = ?")) {
                s.setLong(1, expires.toEpochMilli());
                s.setLong(2, now.toEpochMilli());
                s.setString(3, node);
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO node_leases (node, lease_expires, recovered_by, started_at) VALUES (?, ?, NULL, ?)")) {
                s.setString(1, node);
                s.setLong(2, expires.toEpochMilli());
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean renew(String node, Instant expires) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE node_leases SET lease_expires = ? WHERE node = ? AND recovered_by IS NULL")) {
                s.setLong(1, expires.toEpochMilli());
                s.setString(2, node);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<String> expired(String self, Instant now) {
        return db.read(c -> {
            List<String> nodes = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT node FROM node_leases WHERE lease_expires < ? AND node <> ? ORDER BY lease_expires")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, self);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        nodes.add(r.getString(1));
                    }
                }
            }
            return nodes;
        });
    }

    @Override
    public boolean claim(String node, String heir, Instant now, Instant until) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE node_leases SET recovered_by = ?, lease_expires = ? WHERE node = ? AND lease_expires < ?")) {
                s.setString(1, heir);
                s.setLong(2, until.toEpochMilli());
                s.setString(3, node);
                s.setLong(4, now.toEpochMilli());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void release(String node, String heir) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM node_leases WHERE node = ? AND recovered_by = ?")) {
                s.setString(1, node);
                s.setString(2, heir);
                s.executeUpdate();
            }
            return null;
        });
    }
}
