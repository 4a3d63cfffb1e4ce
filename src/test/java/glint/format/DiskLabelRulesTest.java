package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** MBR/GPT, FAT and ISO, and the formats hiding in one another (ISO+GPT allowed, ISO+qcow2 not). */
@DatabaseNeutral
class DiskLabelRulesTest {
    private static byte[] gpt() {
        return Corpus.bytes(ToolImagesTest.sfdisk("gpt.img", "label: gpt\n,1M\n,2M\n"));
    }

    private static byte[] dos() {
        return Corpus.bytes(ToolImagesTest.sfdisk("dos.img", "label: dos\n,1M\n,2M\n"));
    }

    private static byte[] iso() {
        return Corpus.bytes(ToolImagesTest.iso());
    }

    /** Glance's {@code _get_stub_gpt}: 1024 bytes, one protective MBR entry. */
    private static byte[] stubGpt() {
        byte[] data = new byte[1024];
        data[510] = 0x55;
        data[511] = (byte) 0xaa;
        byte[] entry = {0x00, 0x00, 0x02, 0x00, (byte) 0xee, 0x00, 0x00, 0x00, 1, 0, 0, 0, 0, 0, 0, 0};
        System.arraycopy(entry, 0, data, 446, 16);
        return data;
    }

    private static Map<String, String> failures(byte[] data) {
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).extracting(Detected::format).containsExactly("gpt");
        return inspection.matches().get(0).safetyFailures();
    }

    @Test
    void glanceStubGptDeclaredRawStaysRaw() throws FormatRefused {
        assertThat(Judge.judge(Judge.DEFAULTS, "raw", stubGpt())).isEqualTo(new Verdict("raw",
            OptionalLong.of(1024)));
        assertThat(Judge.judge(Judge.DEFAULTS, "gpt", stubGpt())).isEqualTo(new Verdict("gpt",
            OptionalLong.of(1024)));
    }

    @Test
    void glanceStubGptDeclaredAmiIsRefused() {
        Judge.refused(Judge.DEFAULTS, "ami", stubGpt()).hasMessage("Image disk_format ami does not match stream "
            + "data gpt");
    }

    @Test
    void emptyPartitionTableFailsUnlessMbrIsNonFatal() throws FormatRefused {
        byte[] data = stubGpt();
        java.util.Arrays.fill(data, 446, 462, (byte) 0);
        assertThat(failures(data)).containsExactlyEntriesOf(Map.of("mbr", "GPT MBR has no partitions defined"));
        Judge.refused(Judge.DEFAULTS, "gpt", data).hasMessage("Image failed safety checks");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
        Judge.refused(Judge.nonfatal("gptmbr"), "gpt", data).hasMessage("Image failed safety checks");
        assertThat(Judge.judge(Judge.nonfatal("mbr"), "gpt", data)).isEqualTo(new Verdict("gpt",
            OptionalLong.of(1024)));
        assertThat(Judge.judge(Judge.nonfatal("mbr"), "raw", data).format()).isEqualTo("raw");
    }

    @Test
    void partitionsBesideAProtectiveMbrFail() throws FormatRefused {
        byte[] data = gpt();
        byte[] extra = {(byte) 0x80, 0, 0, 0, (byte) 0x83, 0, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0};
        System.arraycopy(extra, 0, data, 462, 16);
        assertThat(failures(data)).containsExactlyEntriesOf(Map.of("gptmbr",
            "GPT MBR defines invalid extra partitions"));
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Image failed safety checks");
        assertThat(Judge.judge(Judge.nonfatal("gptmbr"), "raw", data).format()).isEqualTo("raw");
        assertThat(Judge.judge(Judge.nonfatal("mbr"), "raw", data).format()).isEqualTo("raw");
    }

    @Test
    void protectiveEntryNotFirstFails() {
        byte[] data = gpt();
        System.arraycopy(data, 446, data, 462, 16);
        java.util.Arrays.fill(data, 446, 462, (byte) 0);
        assertThat(failures(data)).containsOnlyKeys("gptmbr");
    }

    @Test
    void protectiveEntryStartFaultsFail() {
        byte[] chs = gpt();
        chs[448] = 3;
        assertThat(failures(chs)).containsExactlyEntriesOf(Map.of("gptmbr", "GPT MBR has invalid start CHS"));
        byte[] lba = gpt();
        Patch.le32(lba, 454, 2);
        assertThat(failures(lba)).containsExactlyEntriesOf(Map.of("gptmbr", "GPT MBR has invalid start LBA"));
    }

    @Test
    void invalidBootFlagFails() {
        byte[] data = dos();
        data[446 + 16] = 0x7f;
        assertThat(failures(data)).containsExactlyEntriesOf(Map.of("mbr", "MBR PTE 1 has invalid boot flag"));
        Judge.refused(Judge.nonfatal("gptmbr"), "raw", data).hasMessage("Image failed safety checks");
    }

    @Test
    void dosPartitionTableIsSafe() throws FormatRefused {
        assertThat(failures(dos())).isEmpty();
        assertThat(Judge.judge(Judge.DEFAULTS, "raw", dos())).isEqualTo(new Verdict("raw",
            OptionalLong.of(10 << 20)));
    }

    @Test
    void fatBootSectorIsNotAnMbr() throws FormatRefused {
        byte[] fat = Corpus.bytes(ToolImagesTest.fat());
        assertThat(Bytes.u16le(fat, 510)).isEqualTo(0xaa55);
        assertThat(Feeder.inspect(fat).matches()).extracting(Detected::format).containsExactly("raw");
        byte[] notFat = Patch.copy(fat);
        notFat[0x15] = (byte) 0xf0;
        assertThat(Feeder.inspect(notFat).matches()).extracting(Detected::format).containsExactly("gpt");
        Judge.refused(Judge.DEFAULTS, "raw", notFat).hasMessage("Image failed safety checks");
    }

    /** A hybrid ISO: a protective MBR in the system area. Glance takes ISO+GPT as ISO. */
    @Test
    void isoWithGptIsIso() throws FormatRefused {
        byte[] data = iso();
        System.arraycopy(gpt(), 0, data, 0, 512);
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).extracting(Detected::format).containsExactlyInAnyOrder("iso", "gpt");
        assertThat(Judge.DEFAULTS.judge("iso", inspection)).isEqualTo(new Verdict("iso",
            OptionalLong.of(data.length)));
        assertThat(Judge.DEFAULTS.judge("raw", inspection)).isEqualTo(new Verdict("raw",
            OptionalLong.of(data.length)));
        byte[] unsafeMbr = Patch.copy(data);
        java.util.Arrays.fill(unsafeMbr, 446, 510, (byte) 0);
        assertThat(Judge.judge(Judge.DEFAULTS, "iso", unsafeMbr).format())
            .as("as Glance, only the ISO's checks run").isEqualTo("iso");
    }

    /** oslo.utils' bad ISO: a qcow2 header in the ISO's system area (CVE-2024-32498 class). */
    @Test
    void isoWithQcow2IsRefused() throws FormatRefused {
        byte[] data = iso();
        byte[] qcow2 = Corpus.bytes(Corpus.created("plain.qcow2", "qcow2", "", "10M"));
        System.arraycopy(qcow2, 0, data, 0, 32 * 1024);
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches()).extracting(Detected::format).containsExactly("qcow2", "iso");
        for (String declared : List.of("iso", "raw", "qcow2", "ami")) {
            Judge.refused(Judge.DEFAULTS, declared, data).hasMessage("Multiple formats detected: qcow2,iso");
        }
        assertThat(Judge.judge(Judge.LENIENT, "iso", data)).as("require_image_format_match = false logs it")
            .isEqualTo(new Verdict("qcow2+iso", OptionalLong.empty()));
        Patch.be64(data, 8, 0x200);
        Judge.refused(Judge.LENIENT, "iso", data).as("but safety failures still refuse")
            .hasMessage("Image failed safety checks");
    }

    @Test
    void isoVirtualSizeIsTheVolumeSize() {
        byte[] data = Patch.concat(iso(), new byte[4096]);
        Detected d = Feeder.inspect(data).matches().get(0);
        assertThat(d.virtualSize()).isEqualTo(data.length - 4096);
    }

    @Test
    void truncatedIsoDescriptorIsTooShortToJudge() {
        byte[] data = Patch.head(iso(), 32 * 1024 + 100);
        Inspection inspection = Feeder.inspect(data);
        assertThat(inspection.matches().get(0).safetyFailures()).containsOnlyKeys("incomplete");
        Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Incomplete file cannot be safety checked");
        assertThat(Feeder.inspect(Patch.head(iso(), 32 * 1024 + 5)).matches()).extracting(Detected::format)
            .containsExactly("raw");
    }
}
