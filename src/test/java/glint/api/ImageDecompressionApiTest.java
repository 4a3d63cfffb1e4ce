package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.ImageTool;
import glint.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image_decompression import plugin over real HTTP (Glance's functional test_image_decompression.py, without
 * LHA), and image_conversion after it: gzip and zip are decompressed, as a stream into new staged data, up to
 * {@code image_size_cap}.
 */
@DatabaseNeutral
class ImageDecompressionApiTest {
    private static final int CAP = 1_000_000;

    @TempDir
    static Path tools;
    private static TestServer server;
    private static ApiClient alice;
    private static byte[] data;

    @BeforeAll
    static void start() {
        data = new byte[384 * 512]; // whole sectors: qemu-img's round trip through qcow2 gives the same bytes
        new Random(3).nextBytes(data);
        server = TestServer.start("image_size_cap = " + CAP, "[image_import_opts]",
                ImageConversionApiTest.plugins("image_decompression", "image_conversion"),
                "[image_conversion]", "output_format = qcow2");
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    static byte[] zip(Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                zip.putNextEntry(new ZipEntry(m.getKey()));
                zip.write(m.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static String importStaged(String diskFormat, String containerFormat, byte[] staged) {
        ApiClient.Reply r = alice.post("/v2/images", obj("name", "dec", "disk_format", diskFormat,
                "container_format", containerFormat));
        String id = r.json().get("id").asText();
        ImageConversionApiTest.stageAndImport(alice, id, staged);
        return id;
    }

    /** The image is active with {@code data} converted to qcow2 by the plugin after decompression. */
    private static void assertActiveWithTheData(String id) throws IOException {
        ImportApiTest.awaitTask(alice, id, "success");
        JsonNode image = alice.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("disk_format").asText()).isEqualTo("qcow2");
        Path stored = tools.resolve(id + ".qcow2");
        Files.write(stored, alice.get("/v2/images/" + id + "/file").bytes());
        assertThat(image.get("size").asLong()).isEqualTo(Files.size(stored));
        ImageTool.run(tools, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", stored.toString(), id + ".raw");
        assertThat(md5(Files.readAllBytes(tools.resolve(id + ".raw")))).isEqualTo(md5(data));
        assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("staging"), id)).isZero();
    }

    private static String md5(byte[] bytes) {
        try {
            return ImportApiTest.hex("MD5", bytes);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertFailed(String id, String message) throws IOException {
        ImageConversionApiTest.assertFailedAndQueued(server, alice, id, message);
    }

    // The images are declared raw and staged compressed raw data: decompressed, then converted from raw to qcow2.

    @Test
    void gzipDataIsDecompressedThenConverted() throws IOException {
        assertActiveWithTheData(importStaged("raw", "bare", gzip(data)));
    }

    @Test
    void zipDataWithOneMemberIsDecompressedThenConverted() throws IOException {
        assertActiveWithTheData(importStaged("raw", "bare", zip(Map.of("disk.raw", data))));
    }

    @Test
    void aZipWithMoreThanOneMemberIsRefused() throws IOException {
        String id = importStaged("raw", "bare", zip(new java.util.LinkedHashMap<>(Map.of("a.raw", data, "b.raw", data))));
        assertFailed(id, "Archive contains more than one file\\.");
    }

    @Test
    void aZipMemberWhoseNameLeavesTheDirectoryIsRefused() throws IOException {
        for (String name : new String[] {"../disk.raw", "/var/tmp/disk.raw", "images/disk.raw", ".."}) {
            String id = importStaged("raw", "bare", zip(Map.of(name, data)));
            assertFailed(id, "Archive member is not a plain file name\\.");
        }
    }

    @Test
    void aDecompressionBombStopsAtTheSizeCap() throws IOException {
        byte[] bomb = gzip(new byte[50 * CAP]);
        assertThat(bomb.length).isLessThan(CAP / 10);
        String id = importStaged("raw", "bare", bomb);
        assertFailed(id, "The incoming image is too large: The provided image is too large\\.");
    }

    @Test
    void uncompressedDataPassesUnchanged() throws IOException {
        assertActiveWithTheData(importStaged("raw", "bare", data));
    }

    @Test
    void aGzippedQcow2IsStagedAsItIsAndJudgedOnceDecompressed() throws IOException { // real inspector
        // staged, gzip data is not yet the qcow2 it is declared (Glint inspects staged data; Glance does not)
        Path qcow2 = tools.resolve("data.qcow2");
        Files.write(tools.resolve("data.raw"), data);
        ImageTool.run(tools, "qemu-img", "convert", "-f", "raw", "-O", "qcow2", "data.raw", qcow2.toString());
        String id = importStaged("qcow2", "bare", gzip(Files.readAllBytes(qcow2)));
        assertActiveWithTheData(id);
        assertThat(md5(alice.get("/v2/images/" + id + "/file").bytes())).as("already qcow2: not converted")
                .isEqualTo(md5(Files.readAllBytes(qcow2)));
    }

    @Test
    void theCompressedContainerFormatIsLeftCompressed() throws IOException {
        // Glance: "If the container format is 'compressed' the image is expected to be compressed"; then converted
        // as the raw data it is taken for
        byte[] gz = gzip(data);
        String id = importStaged("raw", "compressed", gz);
        ImportApiTest.awaitTask(alice, id, "success");
        Path stored = tools.resolve(id + ".qcow2");
        Files.write(stored, alice.get("/v2/images/" + id + "/file").bytes());
        ImageTool.run(tools, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", stored.toString(), id + ".gz");
        assertThat(Files.readAllBytes(tools.resolve(id + ".gz"))).startsWith(gz);
    }
}
