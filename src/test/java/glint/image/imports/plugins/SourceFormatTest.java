package glint.image.imports.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.format.Detected;
import glint.format.Inspection;
import glint.image.imports.ImportFailed;
import glint.testing.DatabaseNeutral;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The format decision before qemu-img runs, on inspections as {@code glint.format} reports them (Glance's
 * test_image_conversion.py: {@code test_image_convert_fails_inspection*}, {@code _iso_lie_*},
 * {@code _excluded_for_iso}, {@code _ignores_configured_gpt_safety}, {@code _source_format_inspection_not_match}).
 */
@DatabaseNeutral
class SourceFormatTest {
    private static Inspection of(Detected... matches) {
        return new Inspection(1 << 20, List.of(matches));
    }

    private static Detected safe(String format) {
        return new Detected(format, 1 << 30, Map.of());
    }

    private static void refused(String disk, Inspection inspection, String message) {
        assertThatThrownBy(() -> SourceFormat.detected(disk, inspection, Set.of()))
                .isInstanceOf(ImportFailed.class).hasMessage(message);
    }

    @Test
    void theDeclaredFormatWhenItIsWhatTheDataIs() {
        assertThat(SourceFormat.detected("qcow2", of(safe("qcow2")), Set.of())).isEqualTo("qcow2");
        assertThat(SourceFormat.detected("raw", of(safe("raw")), Set.of())).isEqualTo("raw");
        assertThat(SourceFormat.detected("raw", of(), Set.of())).as("nothing matched: raw").isEqualTo("raw");
    }

    @Test
    void aQcow2DeclaredRawIsAMismatchHoweverTheUploadRulesTakeIt() {
        // the upload rules keep such data as raw (Glance's compatibility rule); qemu-img must not convert it as raw
        refused("raw", of(safe("qcow2")), "Image format mismatch");
        refused("qcow2", of(safe("raw")), "Image format mismatch");
        refused("vmdk", of(safe("qcow2")), "Image format mismatch");
    }

    @Test
    void unsafeDataNeverReachesQemuImg() {
        refused("qcow2", of(new Detected("qcow2", 1, Map.of("backing_file", "not allowed"))),
                "Image has disallowed configuration");
    }

    @Test
    void moreThanOneFormatIsRefused() {
        refused("qcow2", of(safe("qcow2"), safe("iso")), "Image format detection failed");
    }

    @Test
    void gptIsRawAndItsNonfatalChecksAreWarnings() {
        Inspection gpt = of(new Detected("gpt", 1, Map.of("mbr", "bad boot signature")));
        assertThat(SourceFormat.detected("raw", gpt, Set.of("mbr"))).isEqualTo("raw");
        refused("raw", gpt, "Image has disallowed configuration");
        refused("raw", of(new Detected("qcow2", 1, Map.of("mbr", "x"))), "Image has disallowed configuration");
    }

    @Test
    void anIsoIsLeftAloneWhenDeclaredIsoAndRefusedOtherwise() {
        assertThat(SourceFormat.detected("iso", of(safe("iso")), Set.of())).isEqualTo(SourceFormat.ISO);
        refused("raw", of(safe("iso")), "Image has disallowed configuration");
        refused("qcow2", of(safe("iso")), "Image has disallowed configuration");
    }
}
