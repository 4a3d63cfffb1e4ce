package glint.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import glint.config.GlintConfig.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and the schema. All SQL in Glint runs through {@link #read} (autocommit) or
 * {@link #write} (one transaction, committed or rolled back as a whole). A database that cannot be reached or is
 * busy ({@link Unavailable}) ends the request with 503 and {@code Retry-After} within {@code [database] pool_timeout}:
 * that bounds the wait for a pooled connection and, on SQLite, for the write lock. Connections the database dropped
 * are evicted by the pool, so the service recovers by itself when the database is back.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final Dialect dialect;
    private final DatabaseErrors errors;
    private final int validSeconds;
    private final java.util.concurrent.ScheduledExecutorService statistics;
    private final java.util.concurrent.locks.ReentrantLock writers;
    private final long writerWaitMillis;

    private Database(HikariDataSource pool, Dialect dialect, DatabaseErrors errors, int validSeconds, long writerWaitMillis) {
        this.pool = pool;
        this.dialect = dialect;
        this.errors = errors;
        this.validSeconds = validSeconds;
        this.statistics = dialect == Dialect.SQLITE ? statisticsThread() : null;
        // SQLite has one writer at a time; a writer that finds the lock taken sleeps in SQLite's busy handler (up to
        // 100 ms a time) and may lose the lock to a newcomer again and again: at 8 concurrent creates that made
        // p99 ~1 s. This process's writers queue here instead, first come first served, before taking a pooled
        // connection; busy_timeout still arbitrates with other processes sharing the file.
        this.writers = dialect == Dialect.SQLITE ? new java.util.concurrent.locks.ReentrantLock(true) : null;
        this.writerWaitMillis = writerWaitMillis;
    }

    /**
     * SQLite keeps no planner statistics by itself: without them it reads a list page along the sort index even when
     * a filter such as {@code name=…} matches three rows of a million. PostgreSQL (autovacuum) and MariaDB (InnoDB's
     * persistent statistics) keep theirs current; on SQLite {@link #refreshStatistics} runs every 10 minutes.
     */
    private java.util.concurrent.ScheduledExecutorService statisticsThread() {
        var executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "glint-db-statistics");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                refreshStatistics();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Database.class).debug("statistics not refreshed: {}", e.toString());
            }
        }, 10, 10, java.util.concurrent.TimeUnit.MINUTES);
        return executor;
    }

    /**
     * Brings the query planner's statistics up to date where the database does not itself: SQLite's
     * {@code PRAGMA optimize} (which analyzes the tables whose size changed much since, sampling at most 1000 rows
     * of each index). Nothing on PostgreSQL and MariaDB.
     */
    public void refreshStatistics() {
        if (dialect != Dialect.SQLITE) {
            return;
        }
        read(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("PRAGMA analysis_limit = 1000");
                s.execute("PRAGMA optimize = 0x10002");
            }
            return null;
        });
    }

    public static Database open(DatabaseConfig config) {
        return open(config, new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
    }

    /**
     * The pool, its meters ({@code hikaricp_connections_*}: HikariCP's own) and Glint's
     * {@code glint_database_errors_total{kind}} in {@code registry}.
     */
    public static Database open(DatabaseConfig config, MeterRegistry registry) {
        Dialect dialect = Dialect.fromUrl(config.url());
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        hikari.setPoolName("glint-db");
        if (!config.user().isEmpty()) {
            hikari.setUsername(config.user());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.maxPoolSize());
        long timeoutMillis = config.poolTimeout().toMillis();
        hikari.setConnectionTimeout(timeoutMillis);
        // checking an idle connection before handing it out must fit in that bound (HikariCP's minimum is 250 ms)
        hikari.setValidationTimeout(Math.max(250, Math.min(5000, timeoutMillis / 2)));
        if (dialect == Dialect.SQLITE) {
            createParentDirectory(config.url());
            // WAL lets readers run beside the writer; IMMEDIATE makes a write transaction take the write lock at
            // BEGIN, so two writers queue on busy_timeout instead of failing with "database is locked".
            hikari.addDataSourceProperty("journal_mode", "WAL");
            hikari.addDataSourceProperty("synchronous", "FULL");
            hikari.addDataSourceProperty("busy_timeout", Long.toString(timeoutMillis));
            hikari.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            hikari.addDataSourceProperty("foreign_keys", "true");
        }
        if (dialect == Dialect.MARIADB) {
            hikari.addDataSourceProperty("sessionVariables", "sql_mode='STRICT_ALL_TABLES,ANSI_QUOTES'");
        }
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        return new Database(new HikariDataSource(hikari), dialect, new DatabaseErrors(registry),
                (int) Math.max(1, config.poolTimeout().toSeconds()), timeoutMillis);
    }

    private static void createParentDirectory(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        if (q >= 0) {
            file = file.substring(0, q);
        }
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create database directory " + parent, e);
        }
    }

    /** Brings the schema up to date (Flyway, one folder of versioned SQL per dialect). */
    public void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .locations(dialect.migrationFolder())
                .table("glint_schema_history")
                .load()
                .migrate();
        refreshStatistics();
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Runs {@code work} on a pooled connection in autocommit mode.
     *
     * @throws glint.error.GlintException UNAVAILABLE (503, {@code Retry-After}) when the database cannot be reached
     *     or is busy
     * @throws DatabaseException for any other SQL failure
     */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * For the healthcheck: a pooled connection that the driver finds valid, within {@code [database] pool_timeout}.
     *
     * @throws glint.error.GlintException UNAVAILABLE when there is none in time
     */
    public void ping() {
        read(c -> {
            if (!c.isValid(validSeconds)) {
                throw new java.sql.SQLNonTransientConnectionException("the pooled connection is not valid", "08003");
            }
            return null;
        });
    }

    private RuntimeException failed(SQLException e) {
        errors.count(e);
        return Unavailable.translate(e);
    }

    /**
     * {@link #write}, answering {@code false} instead of throwing when the work breaks a unique key (it inserts what
     * exists already): the transaction is rolled back and nothing of it is left.
     */
    public boolean writeUnlessDuplicate(SqlWork<Boolean> work) {
        try {
            return write(work);
        } catch (DatabaseException e) {
            if (e.isDuplicateKey()) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} in one transaction; failures as {@link #read}. A transaction the database rolled back to break
     * a deadlock or a serialization conflict (SQLState class 40: InnoDB's "Deadlock found", PostgreSQL's 40P01/40001)
     * is run again, up to {@link #ATTEMPTS} times with a short random pause: nothing of it was kept, and the work is
     * database work only (every caller is in this package). oslo.db does the same for Glance
     * ({@code wrap_db_retry(retry_on_deadlock=True)} on its image writes). Found by the crash harness on MariaDB: an
     * upload's activation lost a deadlock against a concurrent write and answered 500.
     */
    public <T> T write(SqlWork<T> work) {
        if (writers == null) {
            return retrying(work);
        }
        try {
            if (!writers.tryLock(writerWaitMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw failed(new org.sqlite.SQLiteException("database is locked: writers queued past pool_timeout",
                        org.sqlite.SQLiteErrorCode.SQLITE_BUSY));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(new org.sqlite.SQLiteException("interrupted waiting to write", org.sqlite.SQLiteErrorCode.SQLITE_BUSY));
        }
        try {
            return retrying(work);
        } finally {
            writers.unlock();
        }
    }

    private <T> T retrying(SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return writeOnce(work);
            } catch (DatabaseException e) {
                if (attempt >= ATTEMPTS || !rolledBack(e.getCause())) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(
                        java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000L << attempt));
            }
        }
    }

    /** Attempts of a transaction that the database rolls back to break a deadlock; see {@link #write}. */
    static final int ATTEMPTS = 5;

    private static boolean rolledBack(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof java.sql.SQLTransactionRollbackException
                    || e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }

    private <T> T writeOnce(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            begin(c);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            // the pool puts autocommit back when the connection returns
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Opens the transaction. If that fails (SQLite: the write lock stayed busy past busy_timeout), the driver may have
     * switched autocommit off without a transaction while the pool believes it on: the connection is not reused.
     */
    private void begin(Connection c) throws SQLException {
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            pool.evictConnection(c);
            throw e;
        }
    }

    /**
     * Rolls back after {@code failure}; a rollback that fails too (the connection is gone) does not hide it, and the
     * connection, in a state nobody knows, is not reused.
     */
    private void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
            pool.evictConnection(c);
        }
    }

    @Override
    public void close() {
        if (statistics != null) {
            statistics.shutdownNow();
        }
        pool.close();
    }

    /** A database failure that no client caused and that retrying will not mend: reported as 500. */
    public static final class DatabaseException extends RuntimeException {
        public DatabaseException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        public boolean isDuplicateKey() {
            SQLException e = (SQLException) getCause();
            String state = e.getSQLState();
            return (state != null && state.startsWith("23"))
                    || (e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed"));
        }
    }
}
