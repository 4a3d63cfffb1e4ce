package glint.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import glint.testing.MigratedDatabase;
import glint.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two transactions that lock two rows in opposite orders: the database breaks the deadlock by rolling one back
 * (InnoDB "Deadlock found", PostgreSQL 40P01), and {@link Database#write} runs that one again, so both callers
 * succeed — as oslo.db's retry_on_deadlock does for Glance — instead of one answering 500. SQLite has one writer at a
 * time, so it cannot deadlock this way: not run there.
 */
class DeadlockRetryTest {
    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();

    @Test
    void aTransactionRolledBackToBreakADeadlockIsRunAgainAndBothSucceed() throws Exception {
        assumeFalse(TestDatabases.selected().equals("sqlite"), "SQLite serializes writers: no deadlock to break");
        Database db = database.db();
        db.write(c -> {
            exec(c, "CREATE TABLE deadlock_rows (id INT PRIMARY KEY, v INT NOT NULL)");
            exec(c, "INSERT INTO deadlock_rows (id, v) VALUES (1, 0), (2, 0)");
            return null;
        });
        CyclicBarrier bothHoldOneRow = new CyclicBarrier(2);
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> lockBoth(db, 1, 2, bothHoldOneRow, attempts));
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> lockBoth(db, 2, 1, bothHoldOneRow, attempts));
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);
        assertThat(attempts.get()).as("one of the two ran again after the database broke the deadlock").isGreaterThan(2);
        assertThat(db.<Integer>read(DeadlockRetryTest::sum)).as("both increments are there, once each").isEqualTo(4);
    }

    private static void lockBoth(Database db, int first, int second, CyclicBarrier barrier, AtomicInteger attempts) {
        db.write(c -> {
            boolean firstAttempt = attempts.incrementAndGet() <= 2;
            exec(c, "UPDATE deadlock_rows SET v = v + 1 WHERE id = " + first);
            if (firstAttempt) {
                try {
                    barrier.await(30, TimeUnit.SECONDS); // each holds one row before asking for the other
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            exec(c, "UPDATE deadlock_rows SET v = v + 1 WHERE id = " + second);
            return null;
        });
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.execute();
        }
    }

    private static int sum(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT SUM(v) FROM deadlock_rows"); ResultSet r = s.executeQuery()) {
            r.next();
            return r.getInt(1);
        }
    }
}
