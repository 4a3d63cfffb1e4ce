package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** vmdk's safety rules: descriptors patched into qemu-img images, a VMware-style footer, descriptor files. */
@DatabaseNeutral
class VmdkRulesTest {
    private static final String HEAD = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n";

    private static byte[] sparse() {
        return Corpus.bytes(Corpus.converted("sparse.vmdk", "vmdk", "subformat=monolithicSparse", false));
    }

    private static byte[] stream() {
        return Corpus.bytes(Corpus.converted("stream.vmdk", "vmdk", "subformat=streamOptimized", false));
    }

    /** The image with its embedded descriptor (sector 1 on, desc_num sectors) replaced by {@code text}. */
    static byte[] withDescriptor(byte[] image, String text) {
        byte[] data = Patch.copy(image);
        int size = (int) Bytes.u64le(data, 36) * 512;
        java.util.Arrays.fill(data, 512, 512 + size, (byte) 0);
        Patch.ascii(data, 512, text);
        return data;
    }

    private static String descriptor(String createType, String extent) {
        return HEAD + "createType=\"" + createType + "\"\n\n# Extent description\n" + extent
            + "\n\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n";
    }

    private static Detected only(byte[] data) {
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).hasSize(1);
        return inspection.matches().get(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RW 5860 SPARSE \"other.vmdk\"|",
        "RW 5860 SPARSE \"/etc/passwd\"|Invalid extent filenames found",
        "RW 5860 FLAT \"../../etc/shadow\" 0|Invalid extent filenames found",
        "  rdonly 5860 FLAT \"/dev/sda\" 0|Invalid extent filenames found",
        "RW\t5860\tFLAT\t\"/etc/passwd\"|Invalid VMDK descriptor data",
        "something else entirely|Invalid VMDK descriptor data",
        "# no extent at all|No extents found"})
    void embeddedDescriptorLines(String extent, String problem) {
        Detected d = only(withDescriptor(sparse(), descriptor("monolithicSparse", extent)));
        if (problem == null) {
            assertThat(d.safetyFailures()).isEmpty();
        } else {
            assertThat(d.safetyFailures()).containsExactlyEntriesOf(java.util.Map.of("descriptor", problem));
            Judge.refused(Judge.DEFAULTS, "vmdk", withDescriptor(sparse(), descriptor("monolithicSparse", extent)))
                .hasMessage("Image failed safety checks");
        }
    }

    @Test
    void embeddedDescriptorOfAnotherSubformatRefuses() {
        Detected d = only(withDescriptor(sparse(), descriptor("monolithicFlat", "RW 5860 FLAT \"x-flat.vmdk\" 0")));
        assertThat(d.subformat()).isEqualTo("monolithicFlat");
        assertThat(d.safetyFailures()).containsEntry("descriptor", "Unsupported subformat");
        Detected none = only(withDescriptor(sparse(), HEAD + "RW 5860 SPARSE \"x.vmdk\"\n"));
        assertThat(none.safetyFailures()).containsEntry("descriptor", "Unsupported subformat");
    }

    /**
     * CVE-2022-47951's shape: a sparse header of capacity 0 makes qemu open the embedded descriptor's extents, here
     * a file beside the image. qemu only does so for the createTypes oslo.utils refuses.
     */
    @Test
    void zeroCapacityHeaderDelegatingToANeighbourIsRefused() {
        byte[] data = withDescriptor(sparse(), descriptor("monolithicFlat", "RW 2048 FLAT \"victim.raw\" 0"));
        Patch.le64(data, 12, 0);
        Corpus.make("victim.raw", p -> Corpus.write(p, new byte[1 << 20]));
        Path file = Corpus.make("capacity0.vmdk", p -> Corpus.write(p, data));
        assertThat(ImageTools.qemuInfo(file, null).toString()).as("qemu opens the neighbour").contains("victim.raw");
        assertThat(only(data).safetyFailures()).containsEntry("descriptor", "Unsupported subformat");
        Judge.refused(Judge.DEFAULTS, "vmdk", data).hasMessage("Image failed safety checks");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
    }

    @Test
    void nonAsciiDescriptorRefuses() {
        byte[] data = withDescriptor(sparse(), descriptor("monolithicSparse", "RW 5860 SPARSE \"x.vmdk\""));
        data[600] = (byte) 0xe9;
        assertThat(only(data).safetyFailures()).containsEntry("descriptor", "No descriptor found");
    }

    /** qemu reads the descriptor up to its first NUL whatever desc_num says; so does Glint (oslo.utils does not). */
    @Test
    void descriptorRunningPastItsDeclaredSectorsIsReadToTheNul() {
        String text = descriptor("monolithicSparse", "RW 5860 SPARSE \"x.vmdk\"");
        text = text + "#".repeat(1024 - text.length() - 1) + "\nRW 5860 FLAT \"/etc/passwd\" 0\n";
        byte[] data = withDescriptor(sparse(), text);
        Patch.le64(data, 36, 1);
        assertThat(only(data).safetyFailures()).containsEntry("descriptor", "Invalid extent filenames found");
    }

    @Test
    void descriptorElsewhereRefuses() {
        byte[] data = sparse();
        Patch.le64(data, 28, 2);
        assertThat(only(data).safetyFailures()).containsExactlyEntriesOf(java.util.Map.of("descriptor",
            "Wrong descriptor location"));
        Patch.le64(data, 28, 0);
        assertThat(only(data).safetyFailures()).containsEntry("descriptor", "Wrong descriptor location");
    }

    @Test
    void unknownVersionRefuses() {
        byte[] data = sparse();
        Patch.le32(data, 4, 4);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("descriptor");
    }

    @Test
    void truncatedImagesAreTooShortToJudge() {
        assertThat(only(Patch.head(sparse(), 40)).safetyFailures()).containsOnlyKeys("incomplete");
        Judge.refused(Judge.DEFAULTS, "raw", Patch.head(sparse(), 40))
            .hasMessage("Incomplete file cannot be safety checked");
        assertThat(only(Patch.head(sparse(), 512)).safetyFailures()).containsEntry("descriptor",
            "No descriptor found");
    }

    @Test
    void allowedTypesAreTheOperators() throws FormatRefused {
        assertThat(Judge.judge(Judge.vmdkTypes("monolithicSparse"), "vmdk", sparse()).format()).isEqualTo("vmdk");
        Judge.refused(Judge.vmdkTypes("streamOptimized"), "vmdk", sparse()).hasMessage("Image failed safety checks");
        Judge.refused(Judge.vmdkTypes(), "vmdk", stream()).hasMessage("Image failed safety checks");
        Judge.refused(Judge.vmdkTypes(), "raw", stream()).hasMessage("Image failed safety checks");
        byte[] flat = Corpus.bytes(Corpus.created("flat.vmdk", "vmdk", "subformat=monolithicFlat", "10M"));
        Judge.refused(Judge.vmdkTypes("monolithicFlat"), "vmdk", flat).hasMessage("Image failed safety checks");
    }

    /** streamOptimized as VMware writes it: grain directory at the end, footer + end-of-stream marker. */
    static byte[] withFooter(byte[] image) {
        byte[] header = Patch.head(image, 512);
        byte[] marker = new byte[512];
        Patch.le64(marker, 0, 1);
        Patch.le32(marker, 12, 3);
        byte[] body = Patch.head(image, image.length - 512);
        Patch.le64(body, 56, -1L);
        return Patch.concat(body, marker, header, new byte[512]);
    }

    @Test
    void footerOfAStreamOptimizedImageIsChecked() throws FormatRefused {
        byte[] data = withFooter(stream());
        Path file = Corpus.make("footer.vmdk", p -> Corpus.write(p, data));
        Detected d = only(data);
        assertThat(d.safetyFailures()).isEmpty();
        assertThat(d.virtualSize()).isEqualTo(ImageTools.qemuInfo(file, null).get("virtual-size").asLong());
        assertThat(Judge.judge(Judge.DEFAULTS, "vmdk", data).virtualSize()).isEqualTo(OptionalLong.of(3 << 20));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "footer-magic|Header and footer signature do not match",
        "footer-version|Header and footer versions do not match",
        "footer-descriptor|Footer specifies a different descriptor than header",
        "footer-gd-at-end|Footer indicates another footer",
        "marker-type|Footer marker is invalid",
        "marker-padding|Footer marker is invalid",
        "eos-type|End-of-stream marker is invalid",
        "eos-value|End-of-stream marker is invalid"})
    void footerFaultsRefuse(String fault, String message) {
        byte[] data = withFooter(stream());
        int marker = data.length - 1536;
        int footer = data.length - 1024;
        int eos = data.length - 512;
        switch (fault) {
            case "footer-magic" -> data[footer] = 'X';
            case "footer-version" -> Patch.le32(data, footer + 4, 1);
            case "footer-descriptor" -> Patch.le64(data, footer + 36, 19);
            case "footer-gd-at-end" -> Patch.le64(data, footer + 56, -1L);
            case "marker-type" -> Patch.le32(data, marker + 12, 2);
            case "marker-padding" -> data[marker + 100] = 1;
            case "eos-type" -> Patch.le32(data, eos + 12, 3);
            default -> Patch.le64(data, eos, 7);
        }
        assertThat(only(data).safetyFailures()).containsExactlyEntriesOf(java.util.Map.of("footer", message));
        Judge.refused(Judge.DEFAULTS, "vmdk", data).hasMessage("Image failed safety checks");
    }

    @Test
    void footerMissingFromShortDataIsTooShortToJudge() {
        byte[] data = Patch.head(withFooter(stream()), 1200);
        Patch.le64(data, 36, 1);
        assertThat(only(data).safetyFailures()).containsKey("incomplete");
    }

    @Test
    void descriptorFilesAreAlwaysRefused() {
        String text = descriptor("monolithicSparse", "RW 20480 SPARSE \"disk-s001.vmdk\"");
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        Detected d = only(data);
        assertThat(d.format()).isEqualTo("vmdk");
        assertThat(d.safetyFailures()).containsOnlyKeys("descriptor");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
        Judge.refused(Judge.DEFAULTS, "vmdk", data).hasMessage("Image failed safety checks");
    }

    @Test
    void textWithoutCreateTypeOrTooShortIsRaw() {
        assertThat(only(("Just some text, no descriptor here.\n".repeat(40)).getBytes()).format()).isEqualTo("raw");
        assertThat(only("createType=\"monolithicFlat\"\nRW 1 FLAT \"x\" 0\n".getBytes()).format())
            .as("under 64 bytes").isEqualTo("raw");
        byte[] binary = descriptor("monolithicFlat", "RW 1 FLAT \"x\" 0").getBytes();
        binary[10] = 0;
        assertThat(only(binary).format()).as("not text").isEqualTo("raw");
    }

    @Test
    void longDescriptorFileIsReadUpToOneMebibyte() {
        String text = descriptor("monolithicFlat", "RW 1 FLAT \"x\" 0") + "#".repeat(3 << 20);
        assertThat(only(text.getBytes(StandardCharsets.US_ASCII)).safetyFailures())
            .containsEntry("descriptor", "Unsupported subformat");
    }
}
