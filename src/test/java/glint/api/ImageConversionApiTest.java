package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.ImageTool;
import glint.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image_conversion import plugin over real HTTP, with Debian's qemu-img (Glance's test_image_conversion.py and
 * the functional import tests): images are made by qemu-img at test time. Tests marked "real inspector" need
 * {@code glint.format}'s detection of qcow2 (the placeholder takes all data for raw).
 */
@DatabaseNeutral
class ImageConversionApiTest {
    private static final int RAW_SIZE = 256 * 1024;

    @TempDir
    static Path tools;
    private static byte[] raw;
    private static byte[] qcow2;
    private static byte[] backedQcow2;

    @BeforeAll
    static void makeImages() throws IOException {
        raw = new byte[RAW_SIZE];
        new Random(42).nextBytes(raw);
        Files.write(tools.resolve("disk.raw"), raw);
        ImageTool.run(tools, "qemu-img", "convert", "-f", "raw", "-O", "qcow2", "disk.raw", "disk.qcow2");
        qcow2 = Files.readAllBytes(tools.resolve("disk.qcow2"));
        backedQcow2 = Files.readAllBytes(ImageTool.qemuImgCreate(tools, "backed.qcow2", "qcow2", "1G",
                "-u", "-b", "/etc/passwd", "-F", "raw"));
    }

    static String newImage(ApiClient client, String diskFormat) {
        ApiClient.Reply r = client.post("/v2/images", obj("name", "conv", "disk_format", diskFormat, "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    /** Stages {@code data} and asks for its glance-direct import. */
    static void stageAndImport(ApiClient client, String id, byte[] data) {
        assertThat(ImportApiTest.stage(client, id, data).status()).isEqualTo(204);
        assertThat(client.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status())
                .isEqualTo(202);
    }

    /** Imports {@code data} as a new image of {@code diskFormat}; the task succeeds. @return the image then */
    static JsonNode imported(ApiClient client, String diskFormat, byte[] data) {
        String id = newImage(client, diskFormat);
        stageAndImport(client, id, data);
        ImportApiTest.awaitTask(client, id, "success");
        return client.get("/v2/images/" + id).json();
    }

    /** The task failed with {@code message}; the image is queued again with no data, nothing left in staging. */
    static void assertFailedAndQueued(TestServer server, ApiClient client, String id, String message) throws IOException {
        JsonNode task = ImportApiTest.awaitTask(client, id, "failure");
        assertThat(task.get("message").asText()).matches(message);
        JsonNode image = ImportApiTest.awaitImage(client, id, i -> !i.has("os_glance_import_task"));
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).isTrue();
        assertThat(image.get("checksum").isNull()).isTrue();
        assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("staging"), id)).isZero();
        assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("images"), id)).isZero();
    }

    static String plugins(String... names) {
        return "image_import_plugins = [" + String.join(", ", names) + "]";
    }

    /** A Glint with the configuration lines of {@link #config} for each nested class, and a member of a project. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Served {
        TestServer server;
        ApiClient alice;

        abstract String[] config() throws IOException;

        @BeforeAll
        void start() throws IOException {
            server = TestServer.start(config());
            alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        }

        @AfterAll
        void stop() {
            server.close();
        }
    }

    @Nested
    class ToRaw extends Served {
        @Override
        String[] config() {
            return new String[] {"image_size_cap = 4194304", "[image_import_opts]", plugins("image_conversion")};
        }

        @Test
        void aQcow2BecomesRawWithTheConvertedDataHashesAndVirtualSize() throws Exception { // real inspector
            JsonNode image = imported(alice, "qcow2", qcow2);
            String id = image.get("id").asText();
            assertThat(image.get("status").asText()).isEqualTo("active");
            assertThat(image.get("disk_format").asText()).isEqualTo("raw");
            assertThat(image.get("container_format").asText()).isEqualTo("bare");
            assertThat(image.get("size").asLong()).isEqualTo(RAW_SIZE);
            assertThat(image.get("virtual_size").asLong()).isEqualTo(RAW_SIZE);
            assertThat(image.get("checksum").asText()).isEqualTo(ImportApiTest.hex("MD5", raw));
            assertThat(image.get("os_hash_value").asText()).isEqualTo(ImportApiTest.hex("SHA-512", raw));
            assertThat(alice.get("/v2/images/" + id + "/file").bytes()).isEqualTo(raw);
            assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("staging"), id)).isZero();
        }

        @Test
        void rawDataIsNotConverted() throws Exception {
            JsonNode image = imported(alice, "raw", raw);
            assertThat(image.get("disk_format").asText()).isEqualTo("raw");
            assertThat(image.get("checksum").asText()).isEqualTo(ImportApiTest.hex("MD5", raw));
        }

        @Test
        void aQcow2DeclaredRawIsAFormatMismatch() throws IOException { // real inspector
            // the upload rules keep it as raw (Glance's compatibility rule), but it must not reach qemu-img as raw
            String id = newImage(alice, "raw");
            stageAndImport(alice, id, qcow2);
            assertFailedAndQueued(server, alice, id, "Image format mismatch");
        }

        @Test
        void aQcow2WhoseRawFormWouldExceedTheSizeCapIsNotConverted() throws IOException { // real inspector
            String id = newImage(alice, "qcow2");
            stageAndImport(alice, id, Files.readAllBytes(ImageTool.qemuImgCreate(tools, "big.qcow2", "qcow2", "1G")));
            assertFailedAndQueued(server, alice, id, "The incoming image is too large: its virtual size 1073741824 is "
                    + "over image_size_cap 4194304");
        }
    }

    @Nested
    class ToQcow2 extends Served {
        @Override
        String[] config() {
            return new String[] {"[image_import_opts]", plugins("image_conversion"), "[image_conversion]",
                "output_format = qcow2"};
        }

        @Test
        void rawBecomesQcow2AndTheStoredDataIsTheConvertedImage() throws Exception {
            JsonNode image = imported(alice, "raw", raw);
            String id = image.get("id").asText();
            assertThat(image.get("status").asText()).isEqualTo("active");
            assertThat(image.get("disk_format").asText()).isEqualTo("qcow2");
            byte[] stored = alice.get("/v2/images/" + id + "/file").bytes();
            assertThat(image.get("size").asLong()).isEqualTo(stored.length).isNotEqualTo(RAW_SIZE);
            assertThat(image.get("virtual_size").asLong()).as("the converted qcow2's").isEqualTo(RAW_SIZE);
            assertThat(image.get("checksum").asText()).isEqualTo(ImportApiTest.hex("MD5", stored));
            assertThat(image.get("os_hash_value").asText()).isEqualTo(ImportApiTest.hex("SHA-512", stored));
            Path out = tools.resolve(id + ".qcow2");
            Files.write(out, stored);
            JsonNode info = new ObjectMapper().readTree(ImageTool.run(tools, "qemu-img", "info", "-f", "qcow2",
                    "--output=json", out.toString()));
            assertThat(info.get("virtual-size").asLong()).isEqualTo(RAW_SIZE);
            ImageTool.run(tools, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", out.toString(), id + ".raw");
            assertThat(Files.readAllBytes(tools.resolve(id + ".raw"))).isEqualTo(raw);
            assertThat(ImportApiTest.filesUnder(server.dataDir().resolve("staging"), id)).isZero();
        }
    }

    /**
     * Content inspection of uploads and stores off ({@code inspect_content = false}), so that unsafe data reaches
     * the plugin, which inspects it all the same; qemu-img is a script that logs its runs and can lie.
     */
    @Nested
    class WithoutUploadInspection extends Served {
        Path runs;
        Path mode;

        @Override
        String[] config() throws IOException {
            runs = tools.resolve("runs");
            mode = tools.resolve("mode");
            Path script = tools.resolve("qemu-img-logged");
            Files.writeString(script, "#!/bin/sh\necho \"$1\" >> " + runs + "\n"
                    + "if [ \"$(cat " + mode + " 2>/dev/null)\" = backing ] && [ \"$1\" = info ]; then\n"
                    + "  echo '{\"format\": \"raw\", \"virtual-size\": 262144, \"backing-filename\": \"/etc/passwd\"}'\n"
                    + "  exit 0\nfi\nexec qemu-img \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return new String[] {"[image_import_opts]", plugins("image_conversion"), "[image_conversion]",
                "output_format = qcow2", "qemu_img = " + script, "[image_format]", "inspect_content = false"};
        }

        /**
         * Imports {@code data} with the qemu-img script in {@code qemuImgMode}; the task fails with {@code message}.
         *
         * @return the qemu-img commands that ran
         */
        private List<String> failedImport(String qemuImgMode, String diskFormat, byte[] data, String message)
                throws IOException {
            Files.deleteIfExists(runs);
            Files.writeString(mode, qemuImgMode);
            String id = newImage(alice, diskFormat);
            stageAndImport(alice, id, data);
            assertFailedAndQueued(server, alice, id, message);
            return Files.exists(runs) ? Files.readAllLines(runs) : List.of();
        }

        @Test
        void aQcow2WithABackingFileIsRefusedBeforeQemuImgReadsIt() throws IOException {
            // real inspector: its safety check; placeholder: not the qcow2 it claims to be
            assertThat(failedImport("real", "qcow2", backedQcow2,
                    "Image failed safety checks|Image has disallowed configuration|Image format mismatch")).isEmpty();
        }

        @Test
        void rawDataDeclaredQcow2IsRefusedBeforeQemuImgReadsIt() throws IOException {
            // real inspector: [image_format] require_image_format_match's message; placeholder: the plugin's
            assertThat(failedImport("real", "qcow2", raw,
                    "Image format mismatch|Image disk_format qcow2 does not match.*")).isEmpty();
        }

        @Test
        void aBackingFileQemuImgReportsIsRefusedAndNothingIsConverted() throws IOException {
            assertThat(failedImport("backing", "raw", raw, "QCOW images with backing files are not allowed"))
                    .containsExactly("info");
        }
    }

    /** qemu-img is a script whose {@code convert} writes an unsafe qcow2 in place of the conversion. */
    @Nested
    class UnsafeOutput extends Served {
        @Override
        String[] config() throws IOException {
            Path script = tools.resolve("qemu-img-unsafe-output");
            Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = convert ]; then\n  for last; do :; done\n"
                    + "  exec cp " + tools.resolve("backed.qcow2") + " \"$last\"\nfi\nexec qemu-img \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return new String[] {"[image_import_opts]", plugins("image_conversion"), "[image_conversion]",
                "output_format = qcow2", "qemu_img = " + script};
        }

        @Test
        void theConvertedDataIsInspectedBeforeItIsStored() throws IOException {
            String id = newImage(alice, "raw");
            stageAndImport(alice, id, raw);
            assertFailedAndQueued(server, alice, id, "Image failed safety checks");
        }
    }

    @Nested
    class UnderLimits extends Served {
        @Override
        String[] config() {
            return new String[] {"[image_import_opts]", plugins("image_conversion"), "[image_conversion]",
                "output_format = qcow2", "address_space = 16777216"};
        }

        @Test
        void qemuImgOutOfAddressSpaceFailsTheTaskAndTheImageCanBeStagedAgain() throws IOException {
            String id = newImage(alice, "raw");
            stageAndImport(alice, id, raw);
            assertFailedAndQueued(server, alice, id, "qemu-img info failed \\(exit status \\d+\\)");
            assertThat(ImportApiTest.stage(alice, id, raw).status()).isEqualTo(204);
        }
    }
}
