package glint.reliability;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.SmallFileSystem;
import glint.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A store and a staging directory on real, small file systems (tmpfs with {@code size=}) that fill up: the upload or
 * stage that meets {@code ENOSPC} is 413 with Glance's message (image_data.py: glance_store's {@code StorageFull} →
 * {@code HTTPRequestEntityTooLarge} "Image storage media is full: …"), its image goes back to {@code queued}, no
 * partial file and no journal row is left, reads go on being served, and the next upload after space is freed works,
 * without a restart.
 */
@DatabaseNeutral
class FullDiskTest {
    private static final String FULL = "Image storage media is full: There is not enough disk space on the image storage media.";
    private static final int FS_SIZE = 8 << 20;
    private static final int LEAVE = 256 << 10;
    private static SmallFileSystem storeFs;
    private static SmallFileSystem stagingFs;
    private static TestServer server;
    private static ApiClient alice;

    @BeforeAll
    static void start() {
        storeFs = SmallFileSystem.mount(FS_SIZE);
        stagingFs = SmallFileSystem.mount(FS_SIZE);
        server = TestServer.start(
                "node_staging_uri = file://" + stagingFs.path().resolve("staging"),
                "[glance_store]",
                "filesystem_store_datadir = " + storeFs.path().resolve("images"));
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (storeFs != null) {
            storeFs.close();
        }
        if (stagingFs != null) {
            stagingFs.close();
        }
    }

    private static String newImage() {
        Reply r = alice.post("/v2/images", obj("name", "full-disk", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static Reply upload(String id, byte[] data) {
        return alice.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertGlanceFullMessage(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains(FULL).doesNotContain(storeFs.path().toString())
                .doesNotContain(stagingFs.path().toString());
    }

    @Test
    void anUploadThatFillsTheStoreIs413AndLeavesNothingAndTheNextOneAfterFreeingSpaceWorks() throws Exception {
        String before = newImage();
        byte[] small = random(100_000);
        assertThat(upload(before, small).status()).isEqualTo(204);

        Path images = storeFs.path().resolve("images");
        Path filler = storeFs.fill("filler", LEAVE);
        String id = newImage();
        Reply full = upload(id, random(2 << 20));
        assertGlanceFullMessage(full);

        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(image.get("checksum").isNull()).isTrue();
        assertThat(files(images)).as("no partial file").containsExactly(before);
        assertThat(server.rows("pending_data", "image_id", id)).as("no journal row").isZero();

        // reads go on while the disk is full
        Reply read = alice.get("/v2/images/" + before + "/file");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.bytes()).isEqualTo(small);
        assertThat(alice.get("/v2/images").status()).isEqualTo(200);
        assertThat(alice.get("/v2/images/" + id + "/file").status()).as("no data: Glance's 204").isEqualTo(204);

        // space freed: the same image takes its data at once, no restart
        Files.delete(filler);
        byte[] data = random(2 << 20);
        assertThat(upload(id, data).status()).isEqualTo(204);
        assertThat(alice.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("active");
        assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
        assertThat(files(images)).containsExactlyInAnyOrder(before, id);
        assertThat(server.rows("pending_data", "image_id", id)).isZero();
    }

    @Test
    void aStageThatFillsStagingIs413AndTheImageIsQueuedAgainAndStagesOnceSpaceIsFreed() throws Exception {
        Path staging = stagingFs.path().resolve("staging");
        Path filler = stagingFs.fill("filler", LEAVE);
        String id = newImage();
        Reply full = alice.put("/v2/images/" + id + "/stage", random(2 << 20), "Content-Type", "application/octet-stream");
        assertGlanceFullMessage(full);

        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(files(staging)).as("no partial file").isEmpty();
        assertThat(server.rows("pending_data", "image_id", id)).as("no journal row").isZero();

        Files.delete(filler);
        byte[] data = random(2 << 20);
        assertThat(alice.put("/v2/images/" + id + "/stage", data, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("uploading");
        assertThat(image.get("size").asLong()).isEqualTo(data.length);
    }
}
