package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** VHD (dynamic, fixed by its footer, differencing) and VHDX structures patched at byte offsets. */
@DatabaseNeutral
class VhdRulesTest {
    private static byte[] dynamic() {
        return Corpus.bytes(Corpus.converted("dynamic.vhd", "vpc", "", false));
    }

    private static byte[] fixed() {
        return Corpus.bytes(Corpus.converted("fixed.vhd", "vpc", "subformat=fixed", false));
    }

    private static byte[] vhdx() {
        return Corpus.bytes(Corpus.converted("disk.vhdx", "vhdx", "", false));
    }

    private static Inspection inspect(byte[] data) {
        return Feeder.inspect(data);
    }

    /** Recomputes the checksum of the 512-byte footer at {@code at}. */
    static void footerChecksum(byte[] data, int at) {
        Patch.be32(data, at + 64, 0);
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += data[at + i] & 0xff;
        }
        Patch.be32(data, at + 64, ~sum);
    }

    @Test
    void fixedVhdNeedsAValidFooterChecksum() {
        byte[] data = fixed();
        data[data.length - 512 + 64] ^= 1;
        assertThat(inspect(data).matches()).extracting(Detected::format).containsExactly("raw");
    }

    @Test
    void footerOfADynamicTypeAtTheEndAloneIsNotAVhd() {
        byte[] data = fixed();
        int at = data.length - 512;
        Patch.be32(data, at + 60, 3);
        footerChecksum(data, at);
        assertThat(inspect(data).matches()).extracting(Detected::format).containsExactly("raw");
    }

    @Test
    void differencingVhdIsRefused() {
        byte[] data = dynamic();
        Patch.be32(data, 60, 4);
        footerChecksum(data, 0);
        assertThat(inspect(data).matches().get(0).safetyFailures()).containsOnlyKeys("parent");
        Judge.refused(Judge.DEFAULTS, "vhd", data).hasMessage("Image failed safety checks");
    }

    /** Other creators than Virtual PC and qemu: qemu takes the footer's current size, not the geometry. */
    @Test
    void virtualSizeFollowsTheCreatorAsQemuDoes() {
        for (String creator : new String[] {"win ", "vpc ", "d2v ", "tap\0"}) {
            byte[] data = dynamic();
            Patch.ascii(data, 28, creator);
            Patch.be64(data, 48, 3_500_032);
            footerChecksum(data, 0);
            int end = data.length - 512;
            System.arraycopy(data, 0, data, end, 512);
            Path file = Corpus.make("creator-" + creator.trim() + ".vhd", p -> Corpus.write(p, data));
            long qemu = ImageTools.qemuInfo(file, "vpc").get("virtual-size").asLong();
            assertThat(inspect(data).matches().get(0).virtualSize()).as(creator).isEqualTo(qemu);
        }
    }

    /** A fixed VHD of a partitioned disk: the GPT is the guest's, the image is the VHD. */
    @Test
    void fixedVhdOfAGptDiskIsVhd() throws FormatRefused {
        Path gpt = ToolImagesTest.sfdisk("gpt.img", "label: gpt\n,1M\n,2M\n");
        Path vhd = Corpus.make("gpt-fixed.vhd", p -> ImageTools.run(Corpus.dir(), "qemu-img", "convert", "-q", "-f",
            "raw", "-O", "vpc", "-o", "subformat=fixed", gpt.getFileName().toString(), "gpt-fixed.vhd"));
        byte[] data = Corpus.bytes(vhd);
        Inspection inspection = inspect(data);
        assertThat(inspection.matches()).extracting(Detected::format).containsExactly("vhd", "gpt");
        long qemu = ImageTools.qemuInfo(vhd, "vpc").get("virtual-size").asLong();
        assertThat(Judge.DEFAULTS.judge("vhd", inspection)).isEqualTo(new Verdict("vhd", OptionalLong.of(qemu)));
        assertThat(Judge.DEFAULTS.judge("raw", inspection).format()).isEqualTo("raw");
    }

    @Test
    void dynamicVhdWithAnMbrIsTwoFormats() {
        byte[] data = dynamic();
        data[510] = 0x55;
        data[511] = (byte) 0xaa;
        data[446 + 4] = (byte) 0x83;
        Judge.refused(Judge.DEFAULTS, "vhd", data).hasMessage("Multiple formats detected: vhd,gpt");
    }

    @Test
    void truncatedDynamicHeaderIsTooShortToJudge() {
        Judge.refused(Judge.DEFAULTS, "raw", Patch.head(dynamic(), 300))
            .hasMessage("Incomplete file cannot be safety checked");
    }

    private static int metadataOffset(byte[] data) {
        int table = 192 * 1024;
        byte[] guid = VhdxProbe.guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
        for (int i = 0; i < Bytes.u32le(data, table + 8); i++) {
            int e = table + 16 + 32 * i;
            if (Bytes.matches(data, data.length, e, guid)) {
                return (int) Bytes.u64le(data, e + 16);
            }
        }
        throw new AssertionError("no metadata region");
    }

    @Test
    void vhdxParentLocatorIsRefused() {
        byte[] data = vhdx();
        int meta = metadataOffset(data);
        int count = Bytes.u16le(data, meta + 10);
        Patch.le16(data, meta + 10, count + 1);
        System.arraycopy(VhdxProbe.guid("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C"), 0, data, meta + 32 + 32 * count, 16);
        assertThat(inspect(data).matches().get(0).safetyFailures()).containsOnlyKeys("parent");
        Judge.refused(Judge.DEFAULTS, "vhdx", data).hasMessage("Image failed safety checks");
    }

    @Test
    void vhdxStructureFaultsAreRefused() {
        byte[] signature = vhdx();
        signature[192 * 1024] = 'x';
        byte[] count = vhdx();
        Patch.le32(count, 192 * 1024 + 8, 5000);
        byte[] backwards = vhdx();
        int table = 192 * 1024;
        for (int i = 0; i < Bytes.u32le(backwards, table + 8); i++) {
            Patch.le64(backwards, table + 16 + 32 * i + 16, 64 * 1024);
        }
        byte[] sizeLength = vhdx();
        int meta = metadataOffset(sizeLength);
        byte[] vds = VhdxProbe.guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
        for (int i = 0; i < Bytes.u16le(sizeLength, meta + 10); i++) {
            if (Bytes.matches(sizeLength, sizeLength.length, meta + 32 + 32 * i, vds)) {
                Patch.le32(sizeLength, meta + 32 + 32 * i + 20, 16);
            }
        }
        for (byte[] data : new byte[][] {signature, count, backwards, sizeLength}) {
            assertThat(inspect(data).matches().get(0).safetyFailures()).containsOnlyKeys("header");
            Judge.refused(Judge.DEFAULTS, "vhdx", data).hasMessage("Image failed safety checks");
        }
    }

    @Test
    void truncatedVhdxIsTooShortToJudge() {
        for (int n : new int[] {8, 100_000, 200 * 1024, 1 << 20}) {
            byte[] data = Patch.head(vhdx(), n);
            assertThat(inspect(data).matches().get(0).safetyFailures()).as("%d bytes", n).containsOnlyKeys(
                "incomplete");
            Judge.refused(Judge.DEFAULTS, "raw", data).hasMessage("Incomplete file cannot be safety checked");
        }
    }
}
