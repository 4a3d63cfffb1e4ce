package glint.db;

import glint.cluster.NodeLeases;
import java.time.Instant;
import java.util.List;

/** The {@code node_leases} table (V12). */
public final class JdbcNodeLeases implements NodeLeases {
    private final Database db;
    private final RowSql sql;

    public JdbcNodeLeases(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
    }

    @Override
    public void register(String node, Instant expires, Instant now) {
        db.write(c -> {
            if (RowSql.execute(c, "UPDATE node_leases SET lease_expires = ?, recovered_by = NULL, started_at = ? WHERE node = ?",
                    expires.toEpochMilli(), now.toEpochMilli(), node) != 1) {
                RowSql.execute(c, "INSERT INTO node_leases (node, lease_expires, recovered_by, started_at) VALUES (?, ?, NULL, ?)",
                        node, expires.toEpochMilli(), now.toEpochMilli());
            }
            return null;
        });
    }

    @Override
    public boolean renew(String node, Instant expires) {
        return sql.execute("UPDATE node_leases SET lease_expires = ? WHERE node = ? AND recovered_by IS NULL",
                expires.toEpochMilli(), node) == 1;
    }

    @Override
    public List<String> expired(String self, Instant now) {
        return sql.query("SELECT node FROM node_leases WHERE lease_expires < ? AND node <> ? ORDER BY lease_expires",
                r -> r.getString(1), now.toEpochMilli(), self);
    }

    @Override
    public boolean claim(String node, String heir, Instant now, Instant until) {
        return sql.execute("UPDATE node_leases SET recovered_by = ?, lease_expires = ? WHERE node = ? AND lease_expires < ?",
                heir, until.toEpochMilli(), node, now.toEpochMilli()) == 1;
    }

    @Override
    public void release(String node, String heir) {
        sql.execute("DELETE FROM node_leases WHERE node = ? AND recovered_by = ?", node, heir);
    }
}
