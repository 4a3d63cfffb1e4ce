package glint.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC of every repository in this package: a query whose rows are mapped to a list, an optional or a single
 * value; a statement that reports its count; a batch; positional parameters; nullable columns. The static methods run
 * in the caller's transaction ({@link Database#read}, {@link Database#write}); the instance methods are one statement
 * in a transaction of its own.
 *
 * <p>Parameters are {@code String}, {@code Long}, {@code Integer}, {@code Boolean}, {@code null} (a NULL of no
 * declared type) or {@link Null} (a NULL of a declared type: {@link #text}, {@link #bigint}).
 */
final class RowSql {
    /** Maps the current row of a result. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    /** The rows of one {@code SELECT … FROM table} whose key is {@code id}: all of them in an order, or one. */
    record Table<T>(RowSql sql, String select, Row<T> row) {
        List<T> all(String orderBy) {
            return sql.query(select + " ORDER BY " + orderBy, row);
        }

        Optional<T> byId(String id) {
            return sql.one(select + " WHERE id = ?", row, id);
        }
    }

    /** A NULL parameter of a {@link Types} type. */
    record Null(int type) {}

    private static final Null NULL_TEXT = new Null(Types.VARCHAR);
    private static final Null NULL_BIGINT = new Null(Types.BIGINT);

    private final Database db;

    RowSql(Database db) {
        this.db = db;
    }

    <T> List<T> query(String sql, Row<T> row, Object... params) {
        return db.read(c -> query(c, sql, row, params));
    }

    <T> Optional<T> one(String sql, Row<T> row, Object... params) {
        return db.read(c -> one(c, sql, row, params));
    }

    /** One statement in its own transaction; the rows it changed. */
    int execute(String sql, Object... params) {
        return db.write(c -> execute(c, sql, params));
    }

    boolean exists(String sql, Object... params) {
        return db.read(c -> exists(c, sql, params));
    }

    /**
     * In one transaction: {@code false} when {@code check} finds a row (a row that refers to what would be deleted),
     * else runs {@code statement}; both with {@code params}.
     */
    boolean unlessExists(String check, String statement, Object... params) {
        return db.write(c -> {
            if (exists(c, check, params)) {
                return false;
            }
            execute(c, statement, params);
            return true;
        });
    }

    /** One statement in its own transaction; {@code false} when a unique key is already taken. */
    boolean unlessDuplicate(String sql, Object... params) {
        return db.writeUnlessDuplicate(c -> {
            execute(c, sql, params);
            return true;
        });
    }

    static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        return upTo(c, 0, sql, row, params);
    }

    /** At most {@code maxRows} rows (0: all). */
    static <T> List<T> upTo(Connection c, int maxRows, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            if (maxRows > 0) {
                s.setMaxRows(maxRows);
            }
            List<T> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(row.map(r));
                }
            }
            return out;
        }
    }

    /** The first row, if any. */
    static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(row.map(r)) : Optional.empty();
            }
        }
    }

    /** The first row of a query that always has one (an aggregate). */
    static <T> T single(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        return one(c, sql, row, params).orElseThrow(() -> new SQLException("no row from " + sql));
    }

    static boolean exists(Connection c, String sql, Object... params) throws SQLException {
        return one(c, sql, r -> true, params).isPresent();
    }

    /** The rows the statement changed. */
    static int execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            return s.executeUpdate();
        }
    }

    /** The statement once per parameter list, as one batch; nothing when there are none. */
    static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (Object[] params : rows) {
                bind(s, params);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** {@code ?, ?, ?} for {@code n} parameters, as in {@code IN (…)}. */
    static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    /** The value, or a NULL of type VARCHAR. */
    static Object text(Optional<String> value) {
        return value.isPresent() ? value.get() : NULL_TEXT;
    }

    /** The value, or a NULL of type BIGINT. */
    static Object bigint(Optional<Long> value) {
        return value.isPresent() ? value.get() : NULL_BIGINT;
    }

    /** A nullable integer column. */
    static Optional<Long> optionalLong(ResultSet r, int column) throws SQLException {
        long value = r.getLong(column);
        return r.wasNull() ? Optional.empty() : Optional.of(value);
    }

    static void bind(PreparedStatement s, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) {
                s.setNull(i + 1, Types.NULL);
            } else if (p instanceof Null n) {
                s.setNull(i + 1, n.type());
            } else if (p instanceof Boolean b) {
                s.setBoolean(i + 1, b);
            } else if (p instanceof Long l) {
                s.setLong(i + 1, l);
            } else if (p instanceof Integer n) {
                s.setInt(i + 1, n);
            } else if (p instanceof String t) {
                s.setString(i + 1, t);
            } else {
                throw new IllegalArgumentException("not a parameter type: " + p.getClass().getName());
            }
        }
    }
}
