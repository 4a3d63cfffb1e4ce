package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.bench.CatalogueFill;
import glint.config.GlintConfig.DatabaseConfig;
import glint.db.Database;
import glint.db.JdbcImageRepository;
import glint.testing.ApiClient;
import glint.testing.GlintCommand;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code glint db purge} and {@code glint db purge-images-table} (glance-manage's {@code db purge} and
 * {@code db purge_images_table}): what goes, what stays (OSSN-0075: a deleted image's id is never given again), and
 * glance-manage's argument checks, through the real command beside a running server.
 */
class PurgeTest {
    private static GlintCommand.Result glint(TestServer server, String... args) {
        return GlintCommand.run(server.dataDir(), server.databaseUrl(), List.of(), args);
    }

    private static void ok(GlintCommand.Result r, String line) {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(line);
    }

    private static String image(ApiClient admin, String name) {
        return admin.post("/v2/images", obj("name", name, "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
    }

    @Test
    void purgeImagesTableRemovesDeletedRowsInBatchesAndTheirIdsStayTaken() {
        try (TestServer server = TestServer.start("delayed_delete = true", "wakeup_time = 0")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String live = image(admin, "live");
            List<String> deleted = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String id = image(admin, "gone-" + i);
                assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(204);
                deleted.add(id);
            }
            String pending = image(admin, "pending");
            assertThat(admin.put("/v2/images/" + pending + "/file", new byte[] {1, 2, 3},
                    "Content-Type", "application/octet-stream").status()).isEqualTo(204);
            assertThat(admin.delete("/v2/images/" + pending).status()).isEqualTo(204); // pending_delete
            assertThat(server.rows("images")).isEqualTo(14);

            ok(glint(server, "db", "purge", "--age-in-days", "0"), "Deleted 0 row(s) from table tasks");
            assertThat(server.rows("images")).as("db purge leaves the images table (OSSN-0075)").isEqualTo(14);

            ok(glint(server, "db", "purge-images-table", "--age-in-days", "1", "--max-rows", "-1"),
                    "Deleted 0 row(s) from table images");
            ok(glint(server, "db", "purge-images-table", "--age_in_days", "0", "--max_rows", "5"),
                    "Deleted 5 row(s) from table images");
            assertThat(server.rows("images")).isEqualTo(9);
            ok(glint(server, "db", "purge-images-table", "--age-in-days", "0", "--max-rows", "-1"),
                    "Deleted 7 row(s) from table images");
            assertThat(server.rows("images")).as("the live image and the one the scrubber still needs").isEqualTo(2);

            for (String id : deleted) {
                assertThat(admin.post("/v2/images", obj("id", id, "name", "reuse")).status())
                        .as("a purged image's id is never given again").isEqualTo(409);
            }
            assertThat(admin.get("/v2/images/" + live).status()).isEqualTo(200);
            ok(glint(server, "scrub", "--restore", pending), "restored");
            assertThat(admin.get("/v2/images/" + pending + "/file").bytes()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void purgeImagesTableTakesAHundredRowsByDefaultAndGoesOnFromBatchToBatch() throws Exception {
        // more deleted images than two of JdbcPurge's transactions (1000 rows each) hold, deleted long ago
        int count = 2600;
        try (TestServer server = TestServer.start()) {
            try (Database db = Database.open(new DatabaseConfig(server.databaseUrl(), "", "", 2))) {
                new JdbcImageRepository(db).insertAll(IntStream.range(0, count).mapToObj(CatalogueFill::image).toList());
                db.write(c -> {
                    try (PreparedStatement s = c.prepareStatement("UPDATE images SET status = 'deleted', deleted = ?, "
                            + "deleted_at = ? WHERE owner LIKE 'bench-p%'")) {
                        s.setBoolean(1, true);
                        s.setLong(2, 0L);
                        return s.executeUpdate();
                    }
                });
            }
            assertThat(server.rows("images")).isEqualTo(count);
            ok(glint(server, "db", "purge-images-table"), "Deleted 100 row(s) from table images"); // 180 days, 100 rows
            ok(glint(server, "db", "purge-images-table", "--max-rows", "1200"), "Deleted 1200 row(s) from table images");
            assertThat(server.rows("images")).isEqualTo(count - 1300);
            ok(glint(server, "db", "purge-images-table", "--max-rows", "-1"), "Deleted 1300 row(s) from table images");
            assertThat(server.rows("images")).isZero();
            for (String table : List.of("image_tags", "image_properties", "image_locations")) {
                assertThat(server.rows(table)).as("%s of the purged images", table).isZero();
            }
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            assertThat(admin.post("/v2/images", obj("id", CatalogueFill.image(count - 1).id(), "name", "reuse")).status())
                    .as("a purged image's id is never given again").isEqualTo(409);
        }
    }

    @Test
    void purgeRemovesExpiredTasks() {
        try (TestServer server = TestServer.start("[task]", "task_time_to_live = 0")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = image(admin, "imported");
            assertThat(admin.put("/v2/images/" + id + "/stage", new byte[] {5, 6, 7},
                    "Content-Type", "application/octet-stream").status()).isEqualTo(204);
            assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status())
                    .isEqualTo(202);
            Poll.until("the import ended", Duration.ofSeconds(30),
                    () -> admin.get("/v2/images/" + id).json().get("status").asText().equals("active"));
            Poll.until("the task ended", Duration.ofSeconds(30), () -> server.rows("tasks") == 1
                    && glint(server, "db", "purge", "--age-in-days", "0").out().contains("Deleted 1 row(s) from table tasks"));
            assertThat(server.rows("tasks")).isZero();
            assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(200);
        }
    }

    @Test
    void argumentsAreCheckedAsGlanceManageDoes() {
        try (TestServer server = TestServer.start()) {
            GlintCommand.Result age = glint(server, "db", "purge", "--age-in-days", "-1");
            assertThat(age.exit()).isEqualTo(1);
            assertThat(age.err()).contains("Must supply a non-negative value for age.");
            GlintCommand.Result rows = glint(server, "db", "purge-images-table", "--max-rows", "-2");
            assertThat(rows.exit()).isEqualTo(1);
            assertThat(rows.err()).contains("Minimal rows limit is -1.");
            GlintCommand.Result epoch = glint(server, "db", "purge", "--age-in-days", "100000");
            assertThat(epoch.exit()).isEqualTo(1);
            assertThat(epoch.err()).contains("Maximal age is count of days since epoch.");
            GlintCommand.Result big = glint(server, "db", "purge", "--max-rows", "3000000000");
            assertThat(big.exit()).isEqualTo(1);
            assertThat(big.err()).contains("'max_rows' value out of range, must not exceed 2147483647.");
            GlintCommand.Result unknown = glint(server, "db", "purge", "--rows", "3");
            assertThat(unknown.exit()).isEqualTo(2);
            assertThat(unknown.err()).contains("unknown flag --rows");
        }
    }
}
