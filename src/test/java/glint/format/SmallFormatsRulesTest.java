package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** LUKS, ploop, VDI, QED: crafted headers and truncation. */
@DatabaseNeutral
class SmallFormatsRulesTest {
    private static Detected only(byte[] data) {
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).hasSize(1);
        return inspection.matches().get(0);
    }

    @Test
    void luksVersion1IsAcceptedAsRawAndVersion2IsNot() throws FormatRefused {
        byte[] v1 = Corpus.bytes(ToolImagesTest.qemuLuks());
        assertThat(Judge.judge(Judge.DEFAULTS, "raw", v1)).isEqualTo(new Verdict("raw", OptionalLong.of(v1.length)));
        byte[] v2 = Patch.copy(v1);
        v2[7] = 2;
        assertThat(only(v2).safetyFailures()).containsExactlyEntriesOf(java.util.Map.of("version",
            "LUKS version 2 is not supported"));
        Judge.refused(Judge.DEFAULTS, "raw", v2).hasMessage("Image failed safety checks");
    }

    @Test
    void luksPayloadBeyondTheDataIsTooShortToJudge() {
        byte[] data = Patch.head(Corpus.bytes(ToolImagesTest.qemuLuks()), 4096);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("incomplete");
    }

    /** A ploop header by hand: the older magic keeps only the low 32 bits of the sector count, as qemu does. */
    @Test
    void ploopWithTheOlderMagic() throws FormatRefused {
        byte[] data = Corpus.bytes(Corpus.converted("disk.ploop", "parallels", "", false));
        Patch.ascii(data, 0, "WithoutFreeSpace");
        long sectors = Bytes.u64le(data, 36);
        Patch.le64(data, 36, sectors | 0x7L << 32);
        Path file = Corpus.make("old.ploop", p -> Corpus.write(p, data));
        Detected d = only(data);
        assertThat(d.virtualSize()).isEqualTo(sectors * 512)
            .isEqualTo(ImageTools.qemuInfo(file, null).get("virtual-size").asLong());
        assertThat(Judge.judge(Judge.DEFAULTS, "ploop", data)).isEqualTo(new Verdict("ploop",
            OptionalLong.of(sectors * 512)));
        Patch.le32(data, 16, 3);
        assertThat(only(data).safetyFailures()).containsOnlyKeys("version");
    }

    @Test
    void qedIsRefusedWhateverItIsDeclared() {
        byte[] data = Corpus.bytes(Corpus.converted("disk.qed", "qed", "", false));
        for (String declared : new String[] {"qed", "raw", "qcow2"}) {
            Judge.refused(Judge.DEFAULTS, declared, data);
        }
    }

    @ParameterizedTest(name = "{0}: first {2} bytes")
    @CsvSource({
        "vdi, disk.vdi, 300",
        "ploop, disk.ploop, 40",
        "luks, qemu.luks, 60",
        "vhd, dynamic.vhd, 100",
        "qcow2, v3.qcow2, 90"})
    void truncatedHeadersAreTooShortToJudge(String format, String image, int n) {
        Path path = switch (format) {
            case "vdi" -> Corpus.converted(image, "vdi", "", false);
            case "ploop" -> Corpus.converted(image, "parallels", "", false);
            case "luks" -> ToolImagesTest.qemuLuks();
            case "vhd" -> Corpus.converted(image, "vpc", "", false);
            default -> Corpus.converted(image, "qcow2", "", false);
        };
        byte[] data = Patch.head(Corpus.bytes(path), n);
        Detected d = only(data);
        assertThat(d.format()).isEqualTo(format);
        assertThat(d.safetyFailures()).containsOnlyKeys("incomplete");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Incomplete file cannot be safety checked");
        Judge.refused(Judge.DEFAULTS, format, data).hasMessage("Incomplete file cannot be safety checked");
    }

    @Test
    void vdiSignatureCutShortIsRaw() {
        byte[] data = Patch.head(Corpus.bytes(Corpus.converted("disk.vdi", "vdi", "", false)), 0x43);
        assertThat(only(data).format()).isEqualTo("raw");
    }
}
