package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** qcow2's safety rules on qemu-img images patched at byte offsets. */
@DatabaseNeutral
class QcowRulesTest {
    private static byte[] v3() {
        return Corpus.bytes(Corpus.created("plain.qcow2", "qcow2", "", "10M"));
    }

    private static Detected only(byte[] data) {
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).hasSize(1);
        return inspection.matches().get(0);
    }

    @Test
    void plainImageIsSafe() throws FormatRefused {
        assertThat(only(v3()).safetyFailures()).isEmpty();
        assertThat(Judge.judge(Judge.DEFAULTS, "qcow2", v3())).isEqualTo(new Verdict("qcow2",
            OptionalLong.of(10 << 20)));
    }

    @Test
    void backingFileOffsetRefuses() {
        byte[] data = v3();
        Patch.be64(data, 8, 0x200);
        Patch.be32(data, 16, 11);
        Patch.ascii(data, 0x200, "/etc/passwd");
        assertThat(only(data).safetyFailures()).containsEntry("backing_file", "Image has a backing file");
        Judge.refused(Judge.DEFAULTS, "qcow2", data).hasMessage("Image failed safety checks");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
    }

    @Test
    void externalDataFileBitRefuses() {
        byte[] data = v3();
        data[79] |= 0x04;
        assertThat(only(data).safetyFailures()).containsOnlyKeys("data_file");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
    }

    @ParameterizedTest(name = "incompatible feature byte {0} = 0x{1}")
    @ValueSource(strings = {"79:10", "79:20", "79:80", "78:01", "72:01"})
    void unknownIncompatibleFeatureRefuses(String at) {
        byte[] data = v3();
        String[] parts = at.split(":");
        data[Integer.parseInt(parts[0])] |= (byte) Integer.parseInt(parts[1], 16);
        assertThat(only(data).safetyFailures()).containsEntry("unknown_features", "Unknown QCOW2 features found");
    }

    @Test
    void knownIncompatibleFeaturesAreFine() {
        byte[] data = v3();
        data[79] = 0x0b; // dirty, corrupt, compression type
        assertThat(only(data).safetyFailures()).isEmpty();
    }

    @Test
    void featureBitsOfVersion2AreNotRead() {
        byte[] data = Corpus.bytes(Corpus.created("plain-v2.qcow2", "qcow2", "compat=0.10", "10M"));
        data[72] = (byte) 0xff;
        assertThat(only(data).safetyFailures()).isEmpty();
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 1, 4, 0x7fffffff})
    void otherVersionsRefuse(int version) {
        byte[] data = v3();
        Patch.be32(data, 4, version);
        assertThat(only(data).safetyFailures()).containsEntry("unknown_features", "Unsupported qcow2 version");
        Judge.refused(Judge.DEFAULTS, "qcow2", data).hasMessage("Image failed safety checks");
    }

    /** The data-file name header extension is refused even without the feature bit. */
    @Test
    void dataFileExtensionRefuses() {
        byte[] data = v3();
        int at = (int) Bytes.u32be(data, 100);
        Patch.be32(data, at, 0x44415441L);
        Patch.be32(data, at + 4, 8);
        Patch.ascii(data, at + 8, "x.raw\0\0\0");
        Patch.be64(data, at + 16, 0);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("data_file");
    }

    /** Extensions are walked as they stream past, however far into the first cluster. */
    @Test
    void dataFileExtensionFarIntoTheClusterRefuses() {
        byte[] data = v3();
        int first = (int) Bytes.u32be(data, 100);
        int end = first + 8 + (int) Bytes.u32be(data, first + 4);
        assertThat(Bytes.u32be(data, end)).as("end of extensions").isZero();
        Patch.be32(data, end, 0x12345678L);
        Patch.be32(data, end + 4, 40_000);
        int far = end + 8 + 40_000;
        Patch.be32(data, far, 0x44415441L);
        Patch.be32(data, far + 4, 5);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("data_file");
    }

    /** Past the first cluster qemu reads no extension, so neither does Glint. */
    @Test
    void extensionBeyondTheFirstClusterIsNotRead() {
        byte[] data = v3();
        int first = (int) Bytes.u32be(data, 100);
        int end = first + 8 + (int) Bytes.u32be(data, first + 4);
        Patch.be32(data, end, 0x12345678L);
        Patch.be32(data, end + 4, 65_536);
        Patch.be32(data, end + 8 + 65_536, 0x44415441L);
        assertThat(only(data).safetyFailures()).isEmpty();
    }

    @Test
    void invalidClusterSizeRefuses() {
        byte[] data = v3();
        Patch.be32(data, 20, 40);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("header");
    }

    @ParameterizedTest(name = "first {0} bytes")
    @ValueSource(ints = {4, 8, 31, 71, 103})
    void truncatedHeaderIsTooShortToJudge(int n) {
        byte[] data = Patch.head(v3(), n);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("incomplete");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Incomplete file cannot be safety checked");
        Judge.refused(Judge.LENIENT, "raw", data).hasMessage("Incomplete file cannot be safety checked");
    }

    @Test
    void shortButCompleteHeaderIsJudged() throws FormatRefused {
        byte[] data = Patch.head(v3(), 200);
        assertThat(only(data).safetyFailures()).isEmpty();
        Patch.be64(data, 8, 0x80);
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
    }

    @Test
    void threeBytesOfMagicAreRaw() throws FormatRefused {
        byte[] data = Patch.head(v3(), 3);
        assertThat(only(data).format()).isEqualTo("raw");
        assertThat(Judge.judge(Judge.DEFAULTS, "raw", data)).isEqualTo(new Verdict("raw", OptionalLong.of(3)));
    }

    @Test
    void hugeVirtualSizeIsRefusedNotNegative() {
        byte[] data = v3();
        Patch.be64(data, 24, -4096);
        Detected d = only(data);
        assertThat(d.virtualSize()).isZero();
        assertThat(d.safetyFailures()).containsOnlyKeys("virtual_size");
    }
}
