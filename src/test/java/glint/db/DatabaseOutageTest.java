package glint.db;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import glint.http.Router;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.LogCapture;
import glint.testing.MetricsScraper;
import glint.testing.Poll;
import glint.testing.TestDatabases;
import glint.testing.TestServer;
import glint.testing.ThrowawayDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The database goes away under a running Glint: requests are answered 503 with {@code Retry-After} within
 * {@code [database] pool_timeout} (not a 500, not a hang), and Glint serves again without a restart once the database
 * is back; the failures count in {@code glint_database_errors_total}. Each database kind is tested in its own suite
 * run, on a server of the test's own (the shared ones stay up).
 */
class DatabaseOutageTest {
    private static final int POOL_TIMEOUT_SECONDS = 2;
    /** pool_timeout plus room for a loaded 2-core machine; HikariCP's default (30 s) would exceed it. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(POOL_TIMEOUT_SECONDS + 5);

    static boolean postgresql() {
        return TestDatabases.selected().equals("postgresql");
    }

    static boolean mariadb() {
        return TestDatabases.selected().equals("mariadb");
    }

    static boolean sqlite() {
        return TestDatabases.selected().equals("sqlite");
    }

    @Test
    @EnabledIf("postgresql")
    void aPostgresqlOutageIs503WithRetryAfterAndGlintRecoversWhenItIsBack() {
        try (ThrowawayDatabase db = ThrowawayDatabase.postgresql()) {
            outageAndRecovery(db);
        }
    }

    @Test
    @EnabledIf("mariadb")
    void aMariadbOutageIs503WithRetryAfterAndGlintRecoversWhenItIsBack() {
        try (ThrowawayDatabase db = ThrowawayDatabase.mariadb()) {
            outageAndRecovery(db);
        }
    }

    private static void outageAndRecovery(ThrowawayDatabase db) {
        try (TestServer server = TestServer.startOn(db.url(), "[database]", "pool_timeout = " + POOL_TIMEOUT_SECONDS,
                "[healthcheck]", "backends = disable_by_file, database", "[metrics]", "enabled = true", "bind_port = 0");
             LogCapture log = LogCapture.of(Router.class)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            MetricsScraper metrics = new MetricsScraper(server);
            ApiClient anonymous = new ApiClient(server.baseUrl(), null);
            String id = admin.post("/v2/images", obj("name", "before")).json().get("id").asText();
            assertThat(anonymous.get("/healthcheck").body()).isEqualTo("OK\nOK");

            double unreachable = metrics.sum("glint_database_errors_total", "kind", "unreachable");
            db.stop();
            assertUnavailable(() -> admin.get("/v2/images/" + id));
            assertUnavailable(() -> admin.get("/v2/images"));
            assertUnavailable(() -> admin.post("/v2/images", obj("name", "during")));
            assertUnavailable(() -> admin.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/k", "value", "v"))));
            assertThat(new ApiClient(server.baseUrl(), null).get("/versions").status())
                    .as("what needs no database still answers").isEqualTo(200);
            assertThat(log.at(Level.ERROR)).anyMatch(m -> m.contains("UNAVAILABLE"));
            assertThat(metrics.sum("glint_database_errors_total", "kind", "unreachable")).as("database errors counted")
                    .isGreaterThan(unreachable);
            long start = System.nanoTime();
            Reply health = anonymous.get("/healthcheck");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("within pool_timeout").isLessThan(ANSWER_BOUND);
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("OK\nDATABASE UNAVAILABLE");

            db.start();
            int status = Poll.until(Duration.ofSeconds(30), () -> admin.get("/v2/images/" + id).status(), s -> s == 200);
            assertThat(status).as("served again without a restart").isEqualTo(200);
            assertThat(anonymous.get("/healthcheck").status()).isEqualTo(200);
            assertThat(admin.post("/v2/images", obj("name", "after")).status()).isEqualTo(201);
        }
    }

    /** SQLite: another connection holds the write lock; writers get 503 after pool_timeout, readers go on. */
    @Test
    @EnabledIf("sqlite")
    void aLockedSqliteDatabaseIs503WithRetryAfterNever500() throws Exception {
        try (TestServer server = TestServer.start("[database]", "pool_timeout = 1", "[metrics]", "enabled = true",
                "bind_port = 0");
             LogCapture log = LogCapture.of(Router.class)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            MetricsScraper metrics = new MetricsScraper(server);
            String id = admin.post("/v2/images", obj("name", "before")).json().get("id").asText();
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("glint.db"));
                 Statement s = other.createStatement()) {
                double busy = metrics.sum("glint_database_errors_total", "kind", "busy");
                s.execute("BEGIN EXCLUSIVE");
                assertUnavailable(() -> admin.post("/v2/images", obj("name", "during")));
                assertUnavailable(() -> admin.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/k", "value", "v"))));
                assertThat(admin.get("/v2/images/" + id).status()).as("readers are not blocked (WAL)").isEqualTo(200);
                assertThat(log.at(Level.ERROR)).anyMatch(m -> m.contains("UNAVAILABLE") && m.contains("SQLITE_BUSY"));
                assertThat(metrics.sum("glint_database_errors_total", "kind", "busy")).as("the writes that waited counted")
                        .isGreaterThan(busy);
                s.execute("ROLLBACK");
            }
            assertThat(admin.post("/v2/images", obj("name", "after")).status()).isEqualTo(201);
        }
    }

    private static void assertUnavailable(Supplier<Reply> request) {
        long start = System.nanoTime();
        Reply reply = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        assertThat(reply.header("Retry-After")).contains("5");
        assertThat(reply.body()).contains("The server is currently unavailable. Please try again at a later time.");
        assertThat(took).as("answered within pool_timeout, not hanging").isLessThan(ANSWER_BOUND);
    }
}
