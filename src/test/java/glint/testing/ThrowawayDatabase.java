package glint.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A database server of a test's own, in a temporary directory on a free port, that the test may stop and start again:
 * the shared PostgreSQL (5432) and MariaDB (3306) of this machine serve other engineers' tests and are never stopped.
 * {@link #close()} stops it and removes its files.
 */
public abstract class ThrowawayDatabase implements AutoCloseable {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final String kind;
    protected final Path dir;
    protected final int port;
    private final String user;
    private final String adminDatabase;
    private final String createDatabase;

    /**
     * @param kind the JDBC URL scheme after {@code jdbc:}
     * @param user who connects (without a password)
     * @param adminDatabase the database to connect to before {@code glint} exists
     * @param createDatabase the statement that creates {@code glint}
     */
    private ThrowawayDatabase(String kind, String user, String adminDatabase, String createDatabase) {
        this.kind = kind;
        this.user = user;
        this.adminDatabase = adminDatabase;
        this.createDatabase = createDatabase;
        try {
            this.dir = Files.createTempDirectory("glint-" + kind + "-");
            try (ServerSocket s = new ServerSocket(0)) {
                this.port = s.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh PostgreSQL 15 cluster ({@code initdb}, trust authentication), started, with a database {@code glint}. */
    public static ThrowawayDatabase postgresql() {
        return new Postgres().init();
    }

    /** A fresh MariaDB ({@code mariadb-install-db}), started, with a database {@code glint}. */
    public static ThrowawayDatabase mariadb() {
        return new MariaDb().init();
    }

    /** The JDBC URL of the database {@code glint}. */
    public String url() {
        return url("glint");
    }

    private String adminUrl() {
        return url(adminDatabase);
    }

    private String url(String database) {
        return "jdbc:" + kind + "://127.0.0.1:" + port + "/" + database + "?user=" + user;
    }

    /** Starts the server on its directory and port; returns once it accepts connections. */
    public abstract void start();

    /** Stops the server (as an operator would); returns once it has exited. */
    public abstract void stop();

    protected abstract void install();

    protected final ThrowawayDatabase init() {
        try {
            install();
            start();
            execute(adminUrl(), createDatabase);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    protected void awaitConnectable() {
        boolean up = Poll.until(BOUND, () -> {
            try (Connection c = DriverManager.getConnection(adminUrl())) {
                return c.isValid(1);
            } catch (SQLException e) {
                return false;
            }
        }, ok -> ok);
        if (!up) {
            throw new IllegalStateException(getClass().getSimpleName() + " on port " + port + " did not start; see " + dir);
        }
    }

    protected static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Runs a command to its end (bounded), its output in {@code log}; fails unless it exits with 0. */
    protected static void run(Path log, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + BOUND);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PostgreSQL refuses to run as root: the cluster belongs to {@code postgres} and every command runs as that user. */
    private static final class Postgres extends ThrowawayDatabase {
        private static final String BIN = "/usr/lib/postgresql/15/bin/";
        private boolean running;

        Postgres() {
            super("postgresql", "postgres", "postgres", "CREATE DATABASE glint");
        }

        @Override
        protected void install() {
            run(dir.resolve("chown.log"), List.of("chown", "postgres", dir.toString()));
            run(dir.resolve("initdb.log"), asPostgres(BIN + "initdb", "-D", data(), "-A", "trust", "-U", "postgres", "--no-sync"));
        }

        @Override
        public void start() {
            run(dir.resolve("start.log"), asPostgres(BIN + "pg_ctl", "-D", data(), "-l", dir.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                            + " -c shared_buffers=16MB -c max_connections=40 -c fsync=off", "start"));
            running = true;
            awaitConnectable();
        }

        @Override
        public void stop() {
            if (running) {
                run(dir.resolve("stop.log"), asPostgres(BIN + "pg_ctl", "-D", data(), "-m", "fast", "-w", "-t", "60", "stop"));
                running = false;
            }
        }

        private String data() {
            return dir.resolve("data").toString();
        }

        private static List<String> asPostgres(String... command) {
            return Stream.concat(Stream.of("runuser", "-u", "postgres", "--"), Stream.of(command)).toList();
        }
    }

    /** mariadbd started as a child of this JVM, without grant tables (no accounts to set up), stopped with SIGTERM. */
    private static final class MariaDb extends ThrowawayDatabase {
        private Process server;

        MariaDb() {
            super("mariadb", "root", "", "CREATE DATABASE glint CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }

        @Override
        protected void install() {
            run(dir.resolve("install.log"), List.of("mariadb-install-db", "--no-defaults", "--datadir=" + dir.resolve("data"),
                    "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"));
        }

        @Override
        public void start() {
            try {
                server = new ProcessBuilder("mariadbd", "--no-defaults", "--datadir=" + dir.resolve("data"), "--port=" + port,
                        "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"), "--pid-file=" + dir.resolve("pid"),
                        "--user=root", "--skip-grant-tables", "--innodb-buffer-pool-size=16M", "--innodb-flush-log-at-trx-commit=0",
                        "--log-error=" + dir.resolve("error.log"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.resolve("out.log").toString())))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            awaitConnectable();
        }

        @Override
        public void stop() {
            if (server == null) {
                return;
            }
            server.destroy(); // SIGTERM to the process this object started: a clean shutdown
            try {
                if (!server.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                    server.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }
}
