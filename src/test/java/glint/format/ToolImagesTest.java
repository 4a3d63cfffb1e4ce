package glint.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format and subformat Debian's tools make: what it is detected as (whole and in random pieces), its virtual
 * size against {@code qemu-img info}, and Glance's verdict declared as itself and as raw.
 */
@DatabaseNeutral
class ToolImagesTest {
    /** One tool-made image and what Glint must make of it. */
    record Case(String label, Supplier<Path> image, String format, String subformat, Set<String> failures,
                String qemuFormat, String diskFormat) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static final String PROBE = "probe";
    private static final String NO_QEMU = null;

    private static Case safe(String label, Supplier<Path> image, String format, String subformat, String qemuFormat) {
        return new Case(label, image, format, subformat, Set.of(), qemuFormat, format);
    }

    private static Case unsafe(String label, Supplier<Path> image, String format, String subformat,
                               Set<String> failures, String qemuFormat) {
        return new Case(label, image, format, subformat, failures, qemuFormat, format);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            safe("qcow2 v3", () -> Corpus.converted("v3.qcow2", "qcow2", "", false), "qcow2", "v3", PROBE),
            safe("qcow2 v2 (compat=0.10)", () -> Corpus.converted("v2.qcow2", "qcow2", "compat=0.10", false),
                "qcow2", "v2", PROBE),
            safe("qcow2 compressed zlib", () -> Corpus.converted("zlib.qcow2", "qcow2", "", true), "qcow2", "v3",
                PROBE),
            safe("qcow2 compressed zstd", () -> Corpus.converted("zstd.qcow2", "qcow2", "compression_type=zstd", true),
                "qcow2", "v3", PROBE),
            safe("qcow2 empty", () -> Corpus.created("empty.qcow2", "qcow2", "", "10M"), "qcow2", "v3", PROBE),
            safe("qcow2 luks-encrypted", ToolImagesTest::encryptedQcow2, "qcow2", "v3", PROBE),
            unsafe("qcow2 with backing file (-b)", ToolImagesTest::backedQcow2, "qcow2", "v3", Set.of("backing_file"),
                PROBE),
            unsafe("qcow2 with data_file", () -> Corpus.created("datafile.qcow2", "qcow2", "data_file=datafile.raw",
                "10M"), "qcow2", "v3", Set.of("data_file"), PROBE),
            unsafe("qcow2 with data_file_raw", () -> Corpus.created("datafileraw.qcow2", "qcow2",
                "data_file=datafileraw.raw,data_file_raw=on", "10M"), "qcow2", "v3", Set.of("data_file"), PROBE),
            unsafe("qcow2 with extended_l2 (a feature oslo.utils does not know)", () -> Corpus.created("extl2.qcow2",
                "qcow2", "extended_l2=on", "10M"), "qcow2", "v3", Set.of("unknown_features"), PROBE),
            unsafe("qcow v1", () -> Corpus.converted("v1.qcow", "qcow", "", false), "qcow2", "",
                Set.of("unknown_features"), PROBE),
            safe("vmdk monolithicSparse", () -> Corpus.converted("sparse.vmdk", "vmdk", "subformat=monolithicSparse",
                false), "vmdk", "monolithicSparse", PROBE),
            safe("vmdk streamOptimized", () -> Corpus.converted("stream.vmdk", "vmdk", "subformat=streamOptimized",
                false), "vmdk", "streamOptimized", PROBE),
            safe("vmdk monolithicSparse empty", () -> Corpus.created("sparse-empty.vmdk", "vmdk",
                "subformat=monolithicSparse", "10M"), "vmdk", "monolithicSparse", PROBE),
            unsafe("vmdk monolithicFlat descriptor", () -> Corpus.created("flat.vmdk", "vmdk",
                "subformat=monolithicFlat", "10M"), "vmdk", "monolithicFlat", Set.of("descriptor"), NO_QEMU),
            unsafe("vmdk twoGbMaxExtentSparse descriptor", () -> Corpus.created("two.vmdk", "vmdk",
                "subformat=twoGbMaxExtentSparse", "10M"), "vmdk", "twoGbMaxExtentSparse", Set.of("descriptor"),
                NO_QEMU),
            unsafe("vmdk twoGbMaxExtentSparse extent file", ToolImagesTest::twoGbExtent, "vmdk", "",
                Set.of("descriptor"), NO_QEMU),
            new Case("vmdk monolithicFlat extent file", ToolImagesTest::flatExtent, "raw", "", Set.of(), "raw", "raw"),
            safe("vhd dynamic", () -> Corpus.converted("dynamic.vhd", "vpc", "", false), "vhd", "dynamic", PROBE),
            safe("vhd dynamic force_size (creator qem2)", () -> Corpus.converted("forced.vhd", "vpc", "force_size=on",
                false), "vhd", "dynamic", PROBE),
            safe("vhd fixed", () -> Corpus.converted("fixed.vhd", "vpc", "subformat=fixed", false), "vhd", "fixed",
                "vpc"),
            safe("vhdx", () -> Corpus.converted("disk.vhdx", "vhdx", "", false), "vhdx", "", PROBE),
            safe("vhdx empty", () -> Corpus.created("empty.vhdx", "vhdx", "", "10M"), "vhdx", "", PROBE),
            safe("vdi", () -> Corpus.converted("disk.vdi", "vdi", "", false), "vdi", "", PROBE),
            safe("vdi static", () -> Corpus.created("static.vdi", "vdi", "static=on", "2M"), "vdi", "", PROBE),
            unsafe("qed", () -> Corpus.converted("disk.qed", "qed", "", false), "qed", "", Set.of("banned"), PROBE),
            safe("ploop (qemu parallels)", () -> Corpus.converted("disk.ploop", "parallels", "", false), "ploop", "",
                PROBE),
            safe("luks v1 (qemu-img)", ToolImagesTest::qemuLuks, "luks", "v1", PROBE),
            safe("luks v1 (cryptsetup)", () -> cryptsetup("luks1"), "luks", "v1", PROBE),
            unsafe("luks v2 (cryptsetup)", () -> cryptsetup("luks2"), "luks", "v2", Set.of("version"), NO_QEMU),
            safe("iso (genisoimage)", ToolImagesTest::iso, "iso", "", "raw"),
            safe("gpt (sfdisk)", () -> sfdisk("gpt.img", "label: gpt\n,1M\n,2M\n"), "gpt", "", "raw"),
            safe("mbr (sfdisk dos)", () -> sfdisk("dos.img", "label: dos\n,1M\n,2M\n"), "gpt", "", "raw"),
            new Case("FAT file system (mkfs.fat) is not an MBR", ToolImagesTest::fat, "raw", "", Set.of(), "raw",
                "raw"),
            new Case("random data", Corpus::randomRaw, "raw", "", Set.of(), "raw", "raw")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detectedAsQemuSeesIt(Case c) {
        Path image = c.image().get();
        byte[] data = Corpus.bytes(image);
        Inspection inspection = Feeder.inspect(data);

        assertThat(inspection.size()).isEqualTo(data.length);
        assertThat(inspection.matches()).extracting(Detected::format).containsExactly(c.format());
        Detected d = inspection.matches().get(0);
        assertThat(d.subformat()).isEqualTo(c.subformat());
        assertThat(d.safetyFailures().keySet()).as("safety failures %s", d.safetyFailures())
            .isEqualTo(c.failures());
        if (c.qemuFormat() != null) {
            long qemu = ImageTools.qemuInfo(image, c.qemuFormat().equals(PROBE) ? null : c.qemuFormat())
                .get("virtual-size").asLong();
            assertThat(d.virtualSize()).as("virtual size as qemu-img info says").isEqualTo(qemu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judgedAsGlanceDoes(Case c) throws FormatRefused {
        Inspection inspection = Feeder.whole(Corpus.bytes(c.image().get()), "bare");
        FormatRules rules = new FormatRules(FormatOptions.defaults());
        Detected d = inspection.matches().get(0);
        if (c.failures().isEmpty()) {
            Verdict own = rules.judge(c.diskFormat(), inspection);
            long expected = c.format().equals("raw") || c.format().equals("gpt") ? inspection.size() : d.virtualSize();
            assertThat(own).isEqualTo(new Verdict(c.diskFormat(), OptionalLong.of(expected)));
            assertThat(rules.judge("raw", inspection))
                .as("safe content declared raw stays raw").isEqualTo(new Verdict("raw", OptionalLong.of(
                    inspection.size())));
        } else {
            for (String declared : List.of(c.diskFormat(), "raw")) {
                assertThatThrownBy(() -> rules.judge(declared, inspection)).as("declared %s", declared)
                    .isInstanceOf(FormatRefused.class).hasMessage("Image failed safety checks");
            }
        }
        if (!c.format().equals("raw")) {
            String other = c.format().equals("qcow2") ? "vmdk" : "qcow2";
            assertThatThrownBy(() -> rules.judge(other, inspection)).isInstanceOf(FormatRefused.class)
                .hasMessage("Image disk_format " + other + " does not match stream data " + c.format());
            assertThatThrownBy(() -> rules.judge("ami", inspection)).isInstanceOf(FormatRefused.class)
                .hasMessage("Image disk_format ami does not match stream data " + c.format());
        }
    }

    static Path encryptedQcow2() {
        return Corpus.make("encrypted.qcow2", p -> ImageTools.run(Corpus.dir(), "qemu-img", "create", "-q", "-f",
            "qcow2", "--object", "secret,id=sec0,data=glint", "-o", "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10",
            "encrypted.qcow2", "10M"));
    }

    static Path backedQcow2() {
        Corpus.created("base.qcow2", "qcow2", "", "10M");
        return Corpus.make("backed.qcow2", p -> ImageTools.run(Corpus.dir(), "qemu-img", "create", "-q", "-f",
            "qcow2", "-b", "base.qcow2", "-F", "qcow2", "backed.qcow2"));
    }

    static Path twoGbExtent() {
        Corpus.created("two.vmdk", "vmdk", "subformat=twoGbMaxExtentSparse", "10M");
        return Corpus.dir().resolve("two-s001.vmdk");
    }

    static Path flatExtent() {
        Corpus.created("flat.vmdk", "vmdk", "subformat=monolithicFlat", "10M");
        return Corpus.dir().resolve("flat-flat.vmdk");
    }

    static Path qemuLuks() {
        return Corpus.make("qemu.luks", p -> ImageTools.run(Corpus.dir(), "qemu-img", "create", "-q", "-f", "luks",
            "--object", "secret,id=sec0,data=glint", "-o", "key-secret=sec0,iter-time=10", "qemu.luks", "4M"));
    }

    static Path cryptsetup(String type) {
        String name = type + ".img";
        return Corpus.make(name, p -> {
            ImageTools.run(Corpus.dir(), "truncate", "-s", "20M", name);
            ImageTools.runWithInput(Corpus.dir(), "glint", "cryptsetup", "luksFormat", "--type", type, "-q", "--pbkdf",
                "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", "-", name);
        });
    }

    static Path iso() {
        return Corpus.make("cd.iso", p -> {
            Path dir = Corpus.dir().resolve("isodir");
            Corpus.write(Corpus.dir().resolve("readme.txt"), "glint\n".getBytes());
            ImageTools.run(Corpus.dir(), "genisoimage", "-quiet", "-V", "GLINT", "-o", "cd.iso", "readme.txt");
            dir.toFile().delete();
        });
    }

    static Path sfdisk(String name, String script) {
        return Corpus.make(name, p -> {
            ImageTools.run(Corpus.dir(), "truncate", "-s", "10M", name);
            ImageTools.runWithInput(Corpus.dir(), script, "sfdisk", "-q", name);
        });
    }

    static Path fat() {
        return Corpus.make("fat.img", p -> ImageTools.run(Corpus.dir(), "mkfs.fat", "-C", "fat.img", "20000"));
    }
}
