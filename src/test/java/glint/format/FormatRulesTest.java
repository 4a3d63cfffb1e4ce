package glint.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Glance's {@code ImageProxy.set_data} decisions over inspections (the cases of glance/tests/unit/
 * test_store_image.py), and the inspector's contract.
 */
@DatabaseNeutral
class FormatRulesTest {
    private static final byte[] YYYY = "YYYY".getBytes();

    private static Inspection of(long size, Detected... matches) {
        return new Inspection(size, List.of(matches));
    }

    private static Detected d(String format, long virtualSize) {
        return new Detected(format, virtualSize, Map.of());
    }

    @Test
    void rawDataDeclaredRawGetsItsSizeAsVirtualSize() throws FormatRefused {
        assertThat(Judge.judge(Judge.DEFAULTS, "raw", YYYY)).isEqualTo(new Verdict("raw", OptionalLong.of(4)));
    }

    @Test
    void rawDataDeclaredAnInspectableFormatIsAMismatch() throws FormatRefused {
        for (String declared : List.of("qcow2", "iso", "vmdk", "vhd", "vhdx", "vdi", "ploop", "gpt", "luks")) {
            Judge.refused(Judge.DEFAULTS, declared, YYYY)
                .hasMessage("Image disk_format " + declared + " does not match stream data raw");
            assertThat(Judge.judge(Judge.LENIENT, declared, YYYY)).as("require_image_format_match = false")
                .isEqualTo(new Verdict("raw", OptionalLong.empty()));
        }
    }

    @Test
    void rawDataDeclaredAnUninspectableFormatIsAcceptedWithoutVirtualSize() throws FormatRefused {
        for (String declared : List.of("ami", "ari", "aki")) {
            assertThat(Judge.judge(Judge.DEFAULTS, declared, YYYY)).isEqualTo(new Verdict("raw",
                OptionalLong.empty()));
        }
    }

    @Test
    void emptyDataIsRawWithoutVirtualSize() throws FormatRefused {
        Inspection empty = Feeder.whole(new byte[0], "bare");
        assertThat(empty.matches()).containsExactly(d("raw", 0));
        assertThat(Judge.DEFAULTS.judge("raw", empty)).isEqualTo(new Verdict("raw", OptionalLong.empty()));
    }

    @Test
    void isoAndGptTogetherAreTakenAsIso() throws FormatRefused {
        Inspection both = of(4096, d("iso", 2048), d("gpt", 4096));
        assertThat(Judge.DEFAULTS.judge("iso", both)).isEqualTo(new Verdict("iso", OptionalLong.of(2048)));
        Judge.DEFAULTS.judge("raw", both);
        assertThatThrownBy(() -> Judge.DEFAULTS.judge("gpt", both)).isInstanceOf(FormatRefused.class)
            .hasMessage("Image disk_format gpt does not match stream data iso");
    }

    @Test
    void otherCombinationsAreRefused() {
        for (Inspection two : List.of(of(9, d("iso", 1), d("qcow2", 1)), of(9, d("qcow2", 1), d("gpt", 9)),
            of(9, d("vhd", 9), d("gpt", 9)), of(9, d("iso", 1), d("gpt", 9), d("vmdk", 1)))) {
            assertThatThrownBy(() -> Judge.DEFAULTS.judge("iso", two)).isInstanceOf(FormatRefused.class)
                .hasMessageStartingWith("Multiple formats detected: ");
        }
    }

    @Test
    void mismatchUnderRequireFalseStillRunsTheSafetyChecks() throws FormatRefused {
        Detected backed = new Detected("qcow2", 10, Map.of("backing_file", "Image has a backing file"));
        assertThatThrownBy(() -> Judge.DEFAULTS.judge("vmdk", of(100, backed))).isInstanceOf(FormatRefused.class)
            .hasMessage("Image disk_format vmdk does not match stream data qcow2");
        assertThatThrownBy(() -> Judge.LENIENT.judge("vmdk", of(100, backed))).isInstanceOf(FormatRefused.class)
            .hasMessage("Image failed safety checks");
        assertThat(Judge.LENIENT.judge("vmdk", of(100, d("qcow2", 10))))
            .isEqualTo(new Verdict("qcow2", OptionalLong.empty()));
    }

    @Test
    void incompleteStructuresRefuseEvenUnderRequireFalse() {
        Detected cut = new Detected("vhdx", 0, Map.of("incomplete", "VHDX region table is truncated"));
        for (FormatRules rules : List.of(Judge.DEFAULTS, Judge.LENIENT)) {
            for (String declared : List.of("vhdx", "raw")) {
                assertThatThrownBy(() -> rules.judge(declared, of(100, cut))).isInstanceOf(FormatRefused.class)
                    .hasMessage("Incomplete file cannot be safety checked");
            }
        }
    }

    @Test
    void gptNonFatalChecksRelaxOnlyGpt() throws FormatRefused {
        Detected gpt = new Detected("gpt", 9, Map.of("mbr", "GPT MBR has no partitions defined"));
        Detected vmdk = new Detected("vmdk", 9, Map.of("mbr", "made up"), "streamOptimized");
        assertThat(Judge.nonfatal("mbr").judge("gpt", of(9, gpt))).isEqualTo(new Verdict("gpt",
            OptionalLong.of(9)));
        assertThatThrownBy(() -> Judge.nonfatal("mbr").judge("vmdk", of(9, vmdk)))
            .isInstanceOf(FormatRefused.class).hasMessage("Image failed safety checks");
        Detected both = new Detected("gpt", 9, Map.of("mbr", "x", "gptmbr", "y"));
        assertThat(Judge.nonfatal("mbr").judge("raw", of(9, both)).format()).isEqualTo("raw");
        assertThatThrownBy(() -> Judge.nonfatal("gptmbr").judge("raw", of(9, both)))
            .isInstanceOf(FormatRefused.class);
    }

    @Test
    void zeroVirtualSizeIsNotSet() throws FormatRefused {
        assertThat(Judge.DEFAULTS.judge("iso", of(4096, d("iso", 0)))).isEqualTo(new Verdict("iso",
            OptionalLong.empty()));
    }

    @Test
    void feedLeavesTheBufferAloneAndFinishIsFinal() {
        FormatInspector inspector = FormatInspector.forContainer("bare");
        ByteBuffer data = ByteBuffer.wrap(new byte[100], 10, 50);
        inspector.feed(data);
        assertThat(data.position()).isEqualTo(10);
        assertThat(data.limit()).isEqualTo(60);
        assertThat(inspector.finish().size()).isEqualTo(50);
        assertThatThrownBy(() -> inspector.feed(data)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(inspector::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyContainerButOvaInspectsTheDataItself() {
        byte[] qcow2 = Corpus.bytes(Corpus.created("plain.qcow2", "qcow2", "", "10M"));
        for (String container : new String[] {"bare", "ovf", "ami", "ari", "aki", "docker", "compressed", null}) {
            assertThat(Feeder.inspect(qcow2, container).matches()).extracting(Detected::format).as(container)
                .containsExactly("qcow2");
        }
    }

    /** Past the header regions a piece costs only the tail copy: no probe is waiting any more. */
    @Test
    void headersAreDoneEarly() {
        DiskScan scan = new DiskScan();
        byte[] zeros = new byte[64 * 1024];
        for (int i = 0; i < 3; i++) {
            scan.feed(ByteBuffer.wrap(zeros));
        }
        assertThat(scan.headersDone()).isTrue();
        assertThat(scan.retainedBytes()).isLessThan(4096);
    }

    @Test
    void compressedDataOfADiskIsAcceptedWithoutVirtualSizeButAnUnsafeDiskLabelledCompressedIsNot() throws Exception {
        // container_format compressed: image_decompression unpacks at import, where the disk itself is judged
        byte[] qcow2 = Corpus.bytes(Corpus.created("plain.qcow2", "qcow2", "", "10M"));
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(qcow2);
        }
        Inspection gzipped = Feeder.inspect(gz.toByteArray(), "compressed");
        assertThat(Judge.DEFAULTS.judge("qcow2", "compressed", gzipped)).isEqualTo(new Verdict("raw", OptionalLong.empty()));
        assertThatThrownBy(() -> Judge.DEFAULTS.judge("qcow2", "bare", gzipped)).isInstanceOf(FormatRefused.class)
            .hasMessage("Image disk_format qcow2 does not match stream data raw");

        byte[] backed = Corpus.bytes(Corpus.created("compressed-label-backed.qcow2", "qcow2",
            "backing_file=/etc/passwd,backing_fmt=raw", "10M"));
        assertThatThrownBy(() -> Judge.DEFAULTS.judge("qcow2", "compressed", Feeder.inspect(backed, "compressed")))
            .isInstanceOf(FormatRefused.class).hasMessage("Image failed safety checks");
        assertThat(Judge.DEFAULTS.judge("qcow2", "compressed", Feeder.inspect(qcow2, "compressed")))
            .isEqualTo(new Verdict("qcow2", OptionalLong.of(10L << 20)));
    }
}
