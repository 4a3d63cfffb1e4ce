package glint.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JDBC for repositories of plain rows ({@link IdentityRepository}, {@link JdbcCatalogRepository}): a query mapped
 * row by row, a statement with positional parameters (strings, longs, booleans, nulls), and an insert or update that
 * reports a broken unique key as {@code false}.
 */
final class RowSql {
    /** Maps the current row of a result. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    private final Database db;

    RowSql(Database db) {
        this.db = db;
    }

    <T> List<T> query(String sql, Row<T> row, Object... params) {
        return db.read(c -> query(c, sql, row, params));
    }

    static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            List<T> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(row.map(r));
                }
            }
            return out;
        }
    }

    <T> Optional<T> one(String sql, Row<T> row, Object... params) {
        return query(sql, row, params).stream().findFirst();
    }

    /** One statement in its own transaction. */
    void execute(String sql, Object... params) {
        db.write(c -> execute(c, sql, params));
    }

    static int execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            return s.executeUpdate();
        }
    }

    /** One statement in its own transaction; {@code false} when a unique key is already taken. */
    boolean unlessDuplicate(String sql, Object... params) {
        return db.writeUnlessDuplicate(c -> {
            execute(c, sql, params);
            return true;
        });
    }

    private static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Boolean b) {
                s.setBoolean(i + 1, b);
            } else if (p == null) {
                s.setNull(i + 1, java.sql.Types.NULL);
            } else if (p instanceof Long l) {
                s.setLong(i + 1, l);
            } else {
                s.setString(i + 1, (String) p);
            }
        }
    }
}
