package glint.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import glint.config.GlintConfig.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and the schema. All SQL in Glint runs through {@link #read} (autocommit) or
 * {@link #write} (one transaction, committed or rolled back as a whole).
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final Dialect dialect;

    private Database(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
    }

    public static Database open(DatabaseConfig config) {
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
        if (dialect == Dialect.SQLITE) {
            createParentDirectory(config.url());
            // WAL lets readers run beside the writer; IMMEDIATE makes a write transaction take the write lock at
            // BEGIN, so two writers queue on busy_timeout instead of failing with "database is locked".
            hikari.addDataSourceProperty("journal_mode", "WAL");
            hikari.addDataSourceProperty("synchronous", "FULL");
            hikari.addDataSourceProperty("busy_timeout", "30000");
            hikari.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            hikari.addDataSourceProperty("foreign_keys", "true");
        }
        if (dialect == Dialect.MARIADB) {
            hikari.addDataSourceProperty("sessionVariables", "sql_mode='STRICT_ALL_TABLES,ANSI_QUOTES'");
        }
        return new Database(new HikariDataSource(hikari), dialect);
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
    }

    public Dialect dialect() {
        return dialect;
    }

    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
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

    public <T> T write(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A database failure that no client caused: reported as 500 (or 503 while the database is unreachable). */
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
