package glint.db;

import glint.error.GlintException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import org.sqlite.SQLiteException;

/**
 * Which SQL failures mean "the database cannot be reached for now" rather than "this statement is wrong": those are
 * answered 503 with {@code Retry-After}, never 500. Glance has no such class (oslo.db raises DBConnectionError, which
 * Glance answers 500); clients and load balancers retry a 503.
 *
 * <ul>
 *   <li>SQLState class 08 (connection exception), and JDBC's connection exception types: the pool's
 *       {@link SQLTransientConnectionException} after {@code [database] pool_timeout} without a connection, a driver's
 *       refused or broken connection;</li>
 *   <li>PostgreSQL 57P01–57P03: the server shuts down, crashed, or is starting up;</li>
 *   <li>SQLite {@code SQLITE_BUSY} and {@code SQLITE_LOCKED}: another connection held the lock past
 *       {@code busy_timeout}.</li>
 * </ul>
 * The whole chain of causes is looked at: the pool wraps the driver's failure.
 */
final class Unavailable {
    private static final Set<String> POSTGRES_GOING_AWAY = Set.of("57P01", "57P02", "57P03");
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int MAX_DEPTH = 10;

    private Unavailable() {}

    /** The exception a request should end with for this failure: 503 when the database is unreachable or busy. */
    static RuntimeException translate(SQLException e) {
        return matches(e)
                ? GlintException.unavailable(e)
                : new Database.DatabaseException(e);
    }

    /**
     * What kind of failure this is, for {@code glint_database_errors_total}: {@code busy} (SQLite's lock held past
     * {@code busy_timeout}), {@code unreachable} (the other 503s), {@code constraint} (a key broken: a 409, or taken as
     * "there already"), {@code error} (a 500).
     */
    static String kind(SQLException e) {
        if (matches(e)) {
            Throwable t = e;
            for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SQLiteException s && isBusy(s)) {
                    return "busy";
                }
            }
            return "unreachable";
        }
        String state = e.getSQLState();
        return state != null && state.startsWith("23") ? "constraint" : "error";
    }

    static boolean matches(SQLException e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++) {
            if (t instanceof SQLException sql && matchesOne(sql)) {
                return true;
            }
            Throwable next = t instanceof SQLException sql && sql.getNextException() != null ? sql.getNextException() : t.getCause();
            t = next == t ? null : next;
        }
        return false;
    }

    private static boolean matchesOne(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || POSTGRES_GOING_AWAY.contains(state))) {
            return true;
        }
        return e instanceof SQLiteException s && isBusy(s);
    }

    private static boolean isBusy(SQLiteException e) {
        int primary = e.getErrorCode() & 0xff; // extended codes (SQLITE_BUSY_SNAPSHOT, …) carry the primary below
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    }
}
