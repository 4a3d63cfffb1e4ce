package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing over the tool-made corpus: bit flips, bytes and fields set at header offsets, spliced
 * headers of other formats, truncations, random piece splits. Whatever the input: nothing but {@link FormatRefused}
 * escapes feed, finish or judge; the retained bytes stay under {@link FormatInspector#RETAINED_CAP} at every piece;
 * the result does not depend on how the data was split. Runs {@code -Dglint.fuzz.seconds} (default 12) from
 * {@code -Dglint.fuzz.seed}; a failing input is written under target/.
 */
@DatabaseNeutral
class FuzzTest {
    private static final String[] DISK_FORMATS = {"raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso", "ploop",
        "gpt", "luks", "qed", "ami", "aki"};
    private static final long[] FIELD_VALUES = {0, 1, 2, 3, 0x200, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1, 192 * 1024, 1 << 20, 0x30000, 512 * 1024 * 1024L};
    private static final int[] REGIONS = {0, 0, 0, 32 * 1024, 192 * 1024, 256 * 1024, 1 << 20, 2 << 20};

    private record Seed(String name, byte[] data, String container) {}

    private static List<Seed> corpus() {
        List<Seed> seeds = new ArrayList<>();
        add(seeds, "qcow2", Corpus.created("plain.qcow2", "qcow2", "", "10M"), "bare");
        add(seeds, "qcow2-v2", Corpus.created("plain-v2.qcow2", "qcow2", "compat=0.10", "10M"), "bare");
        add(seeds, "qcow2-backed", ToolImagesTest.backedQcow2(), "bare");
        add(seeds, "vmdk-sparse", Corpus.created("sparse-empty.vmdk", "vmdk", "subformat=monolithicSparse", "10M"),
            "bare");
        add(seeds, "vmdk-stream", Corpus.created("stream-empty.vmdk", "vmdk", "subformat=streamOptimized", "10M"),
            "bare");
        add(seeds, "vmdk-flat", Corpus.created("flat.vmdk", "vmdk", "subformat=monolithicFlat", "10M"), "bare");
        seeds.add(new Seed("vmdk-footer", VmdkRulesTest.withFooter(Corpus.bytes(Corpus.created("stream-empty.vmdk",
            "vmdk", "subformat=streamOptimized", "10M"))), "bare"));
        add(seeds, "vhd", Corpus.created("dynamic-empty.vhd", "vpc", "", "10M"), "bare");
        add(seeds, "vhd-fixed", Corpus.created("fixed-small.vhd", "vpc", "subformat=fixed", "1M"), "bare");
        add(seeds, "vhdx", Corpus.created("empty.vhdx", "vhdx", "", "10M"), "bare");
        add(seeds, "vdi", Corpus.created("empty.vdi", "vdi", "", "10M"), "bare");
        add(seeds, "qed", Corpus.created("empty.qed", "qed", "", "10M"), "bare");
        add(seeds, "ploop", Corpus.created("empty.ploop", "parallels", "", "10M"), "bare");
        add(seeds, "luks", ToolImagesTest.qemuLuks(), "bare");
        add(seeds, "iso", ToolImagesTest.iso(), "bare");
        add(seeds, "gpt", ToolImagesTest.sfdisk("small-gpt.img", "label: gpt\n,100K\n"), "bare");
        add(seeds, "dos", ToolImagesTest.sfdisk("small-dos.img", "label: dos\n,100K\n"), "bare");
        add(seeds, "ova", Corpus.make("fuzz.ova", p -> ImageTools.run(Corpus.dir(), "tar", "-cf", "fuzz.ova",
            "--format=pax", "readme.txt", "stream-empty.vmdk")), "ova");
        return seeds;
    }

    private static void add(List<Seed> seeds, String name, Path image, String container) {
        seeds.add(new Seed(name, Corpus.bytes(image), container));
    }

    @Test
    void nothingButRefusalEscapesAndMemoryStaysBounded() throws IOException {
        ToolImagesTest.iso();
        List<Seed> seeds = corpus();
        long seed = Long.getLong("glint.fuzz.seed", 20_261_202L);
        long budget = (long) (Double.parseDouble(System.getProperty("glint.fuzz.seconds", "12")) * 1e9);
        Random rnd = new Random(seed);
        long start = System.nanoTime();
        int iterations = 0;
        while (System.nanoTime() - start < budget) {
            Seed base = seeds.get(rnd.nextInt(seeds.size()));
            Seed other = seeds.get(rnd.nextInt(seeds.size()));
            StringBuilder how = new StringBuilder(base.name());
            byte[] data = mutate(base.data(), other.data(), rnd, how);
            String container = rnd.nextInt(10) == 0 ? (base.container().equals("ova") ? "bare" : "ova")
                : base.container();
            long pieceSeed = rnd.nextLong();
            try {
                check(data, container, new Random(pieceSeed), rnd);
            } catch (Throwable t) {
                Path out = Path.of("target", "fuzz-failure-" + seed + "-" + iterations + ".bin");
                Files.createDirectories(out.getParent());
                Files.write(out, data);
                throw new AssertionError("fuzz seed " + seed + " iteration " + iterations + " (" + how
                    + ", container " + container + ", input " + out + "): " + t, t);
            }
            iterations++;
        }
        System.out.printf("format fuzz: %d inputs in %.1f s (seed %d)%n", iterations,
            (System.nanoTime() - start) / 1e9, seed);
        assertThat(iterations).isPositive();
    }

    private static void check(byte[] data, String container, Random pieces, Random rnd) {
        Inspection split = Feeder.pieces(data, container, pieces);
        Inspection whole = Feeder.whole(data, container);
        assertThat(split).as("the same whatever the split").isEqualTo(whole);
        FormatRules rules = new FormatRules(new FormatOptions(rnd.nextBoolean(),
            rnd.nextBoolean() ? Set.of() : Set.of("mbr"), rnd.nextBoolean() ? FormatOptions.defaults()
            .vmdkAllowedTypes() : List.of()));
        for (int i = 0; i < 3; i++) {
            String diskFormat = DISK_FORMATS[rnd.nextInt(DISK_FORMATS.length)];
            try {
                Verdict v = rules.judge(diskFormat, whole);
                assertThat(v.format()).isNotNull();
                v.virtualSize().ifPresent(size -> assertThat(size).isPositive());
            } catch (FormatRefused refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        }
    }

    static byte[] mutate(byte[] base, byte[] other, Random rnd, StringBuilder how) {
        byte[] data = base.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int i = 0; i < ops && data.length > 0; i++) {
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    int at = offset(data.length, rnd);
                    data[at] ^= (byte) (1 << rnd.nextInt(8));
                    how.append(" flip@").append(at);
                }
                case 1 -> {
                    int at = offset(data.length, rnd);
                    data[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : new int[] {0, 0xff, 0x7f, 0x80}[
                        rnd.nextInt(4)]);
                    how.append(" byte@").append(at);
                }
                case 2 -> {
                    int at = offset(data.length, rnd) & ~3;
                    long v = FIELD_VALUES[rnd.nextInt(FIELD_VALUES.length)];
                    int width = rnd.nextBoolean() ? 4 : 8;
                    boolean big = rnd.nextBoolean();
                    for (int k = 0; k < width && at + k < data.length; k++) {
                        int shift = 8 * (big ? width - 1 - k : k);
                        data[at + k] = (byte) (v >>> shift);
                    }
                    how.append(" field").append(width * 8).append(big ? "be@" : "le@").append(at).append('=')
                        .append(v);
                }
                case 3 -> {
                    int n = Math.min(other.length, 1 + rnd.nextInt(4096));
                    int at = rnd.nextBoolean() ? 0 : offset(data.length, rnd);
                    System.arraycopy(other, 0, data, at, Math.min(n, data.length - at));
                    how.append(" splice").append(n).append('@').append(at);
                }
                case 4 -> {
                    int n = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.min(data.length, 4096) + 1)
                        : rnd.nextInt(data.length + 1);
                    data = java.util.Arrays.copyOf(data, n);
                    how.append(" cut@").append(n);
                }
                default -> {
                    int at = data.length - 1 - rnd.nextInt(Math.min(data.length, 1536));
                    data[at] = (byte) rnd.nextInt(256);
                    how.append(" tail@").append(at);
                }
            }
        }
        return data;
    }

    /** An offset biased to where headers are: the first KiB of the usual regions, or anywhere. */
    private static int offset(int length, Random rnd) {
        if (rnd.nextInt(4) == 0) {
            return rnd.nextInt(length);
        }
        int region = REGIONS[rnd.nextInt(REGIONS.length)];
        int at = region + rnd.nextInt(rnd.nextBoolean() ? 128 : 1024);
        return at < length ? at : rnd.nextInt(length);
    }
}
