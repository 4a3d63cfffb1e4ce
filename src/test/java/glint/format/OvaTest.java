package glint.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OVA: the disk inside a tar made by GNU tar, inspected as the tar streams. */
@DatabaseNeutral
class OvaTest {
    private static final String OVF = "<?xml version=\"1.0\"?>\n<Envelope><References><File ovf:href=\"disk.vmdk\"/>"
        + "</References></Envelope>\n";

    /** A directory under the corpus holding {@code files} (name → source image or text), tarred in that order. */
    private static byte[] ova(String name, String format, List<String[]> members) {
        Path dir = Corpus.dir().resolve(name + ".d");
        Path tar = Corpus.make(name + ".ova", p -> {
            try {
                Files.createDirectories(dir);
                List<String> cmd = new ArrayList<>(List.of("tar", "-C", dir.toString(), "-cf", p.toString(),
                    "--format=" + format));
                if (name.startsWith("sparse-")) {
                    cmd.add("--sparse");
                }
                for (String[] m : members) {
                    Path target = dir.resolve(m[0]);
                    Files.createDirectories(target.getParent());
                    if (m[1].equals("dir:")) {
                        Files.createDirectories(target);
                        cmd.add("--no-recursion");
                        cmd.add(m[0]);
                        continue;
                    }
                    if (m[1].startsWith("sparse:")) {
                        ImageTools.run(Corpus.dir(), "cp", "--sparse=always", m[1].substring(7), target.toString());
                    } else if (m[1].startsWith("link:")) {
                        Files.createSymbolicLink(target, Path.of(m[1].substring(5)));
                    } else if (m[1].startsWith("text:")) {
                        Files.writeString(target, m[1].substring(5));
                    } else {
                        Files.copy(Corpus.dir().resolve(m[1]), target);
                    }
                    cmd.add(m[0]);
                }
                ImageTools.run(Corpus.dir(), cmd.toArray(String[]::new));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return Corpus.bytes(tar);
    }

    private static String stream() {
        return Corpus.converted("stream.vmdk", "vmdk", "subformat=streamOptimized", false).getFileName().toString();
    }

    private static long qemuSize(String image) {
        return ImageTools.qemuInfo(Corpus.dir().resolve(image), null).get("virtual-size").asLong();
    }

    private static Verdict judge(FormatRules rules, String diskFormat, byte[] ova) throws FormatRefused {
        return rules.judge(diskFormat, Feeder.inspect(ova, "ova"));
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> refused(FormatRules rules,
            String diskFormat, byte[] ova) {
        Inspection inspection = Feeder.inspect(ova, "ova");
        return assertThatThrownBy(() -> rules.judge(diskFormat, inspection)).isInstanceOf(FormatRefused.class);
    }

    @ParameterizedTest(name = "tar --format={0}")
    @ValueSource(strings = {"ustar", "gnu", "pax", "v7"})
    void vmdkInsideIsJudged(String format) throws FormatRefused {
        byte[] data = ova("vmdk-" + format, format, List.of(new String[] {"appliance.ovf", "text:" + OVF},
            new String[] {"appliance.mf", "text:SHA256(disk.vmdk)= 00\n"}, new String[] {"disk.vmdk", stream()}));
        Inspection inspection = Feeder.inspect(data, "ova");
        assertThat(inspection.archive().orElseThrow().disks()).extracting(Inspection.Disk::name)
            .containsExactly("disk.vmdk");
        assertThat(inspection.matches()).extracting(Detected::format).containsExactly("raw");
        assertThat(Judge.DEFAULTS.judge("vmdk", inspection)).isEqualTo(new Verdict("vmdk",
            OptionalLong.of(qemuSize(stream()))));
        assertThatThrownBy(() -> Judge.DEFAULTS.judge("qcow2", inspection)).isInstanceOf(FormatRefused.class)
            .hasMessage("Image disk_format qcow2 does not match stream data vmdk");
    }

    @ParameterizedTest(name = "tar --format={0}")
    @ValueSource(strings = {"gnu", "pax"})
    void longMemberNamesAreRead(String format) {
        String longName = "a-directory-with-a-rather-long-name/" + "x".repeat(120) + ".vmdk";
        byte[] data = ova("long-" + format, format, List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {longName, stream()}));
        assertThat(Feeder.inspect(data, "ova").archive().orElseThrow().disks()).extracting(Inspection.Disk::name)
            .containsExactly(longName);
    }

    @Test
    void unsafeDiskInsideIsRefused() {
        ToolImagesTest.backedQcow2();
        byte[] data = ova("backed", "ustar", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"disk.qcow2", "backed.qcow2"}));
        refused(Judge.DEFAULTS, "qcow2", data).hasMessage("Image failed safety checks");
        refused(Judge.LENIENT, "vmdk", data).hasMessage("Image failed safety checks");
    }

    @Test
    void everyDiskIsJudgedAndTheFirstGivesTheVerdict() throws FormatRefused {
        ToolImagesTest.backedQcow2();
        String sparse = Corpus.converted("sparse.vmdk", "vmdk", "subformat=monolithicSparse", false).getFileName()
            .toString();
        byte[] two = ova("two", "ustar", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"disk1.vmdk", stream()}, new String[] {"disk2.vmdk", sparse}));
        assertThat(judge(Judge.DEFAULTS, "vmdk", two)).isEqualTo(new Verdict("vmdk",
            OptionalLong.of(qemuSize(stream()))));
        byte[] mixed = ova("mixed", "ustar", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"disk1.vmdk", stream()}, new String[] {"disk2.vmdk", "backed.qcow2"}));
        refused(Judge.DEFAULTS, "vmdk", mixed).hasMessage("Image disk_format vmdk does not match stream data qcow2");
    }

    @Test
    void descriptorMemberHoldingAnImageIsRefused() {
        String qcow2 = Corpus.created("plain.qcow2", "qcow2", "", "10M").getFileName().toString();
        byte[] data = ova("hidden", "ustar", List.of(new String[] {"a.ovf", qcow2},
            new String[] {"disk.vmdk", stream()}));
        refused(Judge.DEFAULTS, "vmdk", data).hasMessage("OVA member a.ovf is a qcow2 image");
    }

    @Test
    void ovaWithoutDiskIsRefused() {
        byte[] data = ova("nodisk", "ustar", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"a.mf", "text:nothing\n"}));
        refused(Judge.DEFAULTS, "vmdk", data).hasMessage("OVA holds no disk image");
    }

    @Test
    void truncatedOvaIsRefused() {
        byte[] data = ova("vmdk-ustar", "ustar", List.of(new String[] {"appliance.ovf", "text:" + OVF},
            new String[] {"appliance.mf", "text:SHA256(disk.vmdk)= 00\n"}, new String[] {"disk.vmdk", stream()}));
        refused(Judge.DEFAULTS, "vmdk", Patch.head(data, 100_000)).hasMessage("OVA tar archive is truncated");
        refused(Judge.DEFAULTS, "vmdk", Patch.head(data, 1024 + 300)).hasMessage("OVA tar archive is truncated");
    }

    @Test
    void dataThatIsNotATar() throws FormatRefused {
        byte[] qcow2 = Corpus.bytes(Corpus.created("plain.qcow2", "qcow2", "", "10M"));
        refused(Judge.DEFAULTS, "qcow2", qcow2)
            .hasMessage("OVA data is not a valid tar archive (bad header checksum at offset 0)");
        assertThat(judge(Judge.LENIENT, "qcow2", qcow2)).isEqualTo(new Verdict("qcow2", OptionalLong.empty()));
        byte[] backed = Corpus.bytes(ToolImagesTest.backedQcow2());
        refused(Judge.LENIENT, "qcow2", backed).hasMessage("Image failed safety checks");
    }

    @Test
    void sparseMembersAreRefused() {
        Path holes = Corpus.make("holes.raw", p -> {
            ImageTools.run(Corpus.dir(), "truncate", "-s", "8M", p.getFileName().toString());
            ImageTools.run(Corpus.dir(), "dd", "if=random.raw", "of=holes.raw", "bs=64k", "count=1", "seek=50",
                "conv=notrunc", "status=none");
        });
        Corpus.randomRaw();
        for (String format : new String[] {"gnu", "pax"}) {
            byte[] data = ova("sparse-" + format, format, List.of(new String[] {"a.ovf", "text:" + OVF},
                new String[] {"disk.raw", "sparse:" + holes.getFileName()}));
            refused(Judge.DEFAULTS, "raw", data).hasMessage("OVA member disk.raw is stored sparse, which is not "
                + "supported");
        }
    }

    @Test
    void directoriesAndLinksAreNotDisks() throws FormatRefused {
        byte[] data = ova("dirs", "gnu", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"disks", "dir:"}, new String[] {"disks/disk.vmdk", stream()},
            new String[] {"link.vmdk", "link:disks/disk.vmdk"}));
        assertThat(Feeder.inspect(data, "ova").archive().orElseThrow().disks()).extracting(Inspection.Disk::name)
            .containsExactly("disks/disk.vmdk");
        assertThat(judge(Judge.DEFAULTS, "vmdk", data).format()).isEqualTo("vmdk");
    }

    @Test
    void moreThanSixteenDisksAreRefused() {
        List<String[]> members = new ArrayList<>();
        members.add(new String[] {"a.ovf", "text:" + OVF});
        for (int i = 0; i <= OvaScan.MAX_DISKS; i++) {
            members.add(new String[] {"disk" + i + ".img", "text:data " + i});
        }
        refused(Judge.DEFAULTS, "raw", ova("many", "ustar", members)).hasMessage("OVA holds more than 16 disk images");
    }

    @Test
    void rawDiskInsideKeepsItsOwnSize() throws FormatRefused {
        byte[] data = ova("raw", "ustar", List.of(new String[] {"a.ovf", "text:" + OVF},
            new String[] {"disk.img", "random.raw"}));
        Corpus.randomRaw();
        assertThat(judge(Judge.DEFAULTS, "raw", data)).isEqualTo(new Verdict("raw", OptionalLong.of(3 << 20)));
    }
}
