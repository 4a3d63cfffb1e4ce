package glint.image.imports.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.image.imports.ImportFailed;
import glint.testing.DatabaseNeutral;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Glance's checks on {@code qemu-img info} (test_image_conversion.py {@code test_image_convert_invalid_*}). */
@DatabaseNeutral
class QemuImgInfoTest {
    private static final List<String> VMDK_TYPES = List.of("streamOptimized", "monolithicSparse");

    private static QemuImgInfo info(String json) throws Exception {
        return new QemuImgInfo(new ObjectMapper().readTree(json));
    }

    private static void refused(String json, String format, List<String> vmdkTypes, String message) throws Exception {
        QemuImgInfo info = info(json);
        assertThatThrownBy(() -> info.check(format, vmdkTypes)).isInstanceOf(ImportFailed.class).hasMessage(message);
    }

    @Test
    void aPlainImagePasses() throws Exception {
        QemuImgInfo info = info("{\"format\":\"qcow2\",\"virtual-size\":1073741824,"
                + "\"format-specific\":{\"type\":\"qcow2\",\"data\":{\"compat\":\"1.1\"}}}");
        info.check("qcow2", VMDK_TYPES);
        assertThat(info.virtualSize()).isEqualTo(1L << 30);
    }

    @Test
    void theFormatQemuImgReadsMustBeTheForcedOne() throws Exception {
        refused("{\"format\":\"raw\"}", "qcow2", VMDK_TYPES, "Image metadata disagrees about format");
        refused("{}", "qcow2", VMDK_TYPES, "Image metadata disagrees about format");
    }

    @Test
    void aBackingFileIsRefused() throws Exception {
        refused("{\"format\":\"qcow2\",\"backing-filename\":\"/etc/passwd\"}", "qcow2", VMDK_TYPES,
                "QCOW images with backing files are not allowed");
    }

    @Test
    void aDataFileIsRefused() throws Exception {
        refused("{\"format\":\"qcow2\",\"format-specific\":{\"data\":{\"data-file\":\"/etc/shadow\"}}}", "qcow2",
                VMDK_TYPES, "QCOW images with data-file set are not allowed");
        info("{\"format\":\"qcow2\",\"format-specific\":{\"data\":{\"data-file\":null}}}").check("qcow2", VMDK_TYPES);
    }

    @Test
    void aVmdkNeedsAnAllowedCreateType() throws Exception {
        String flat = "{\"format\":\"vmdk\",\"format-specific\":{\"data\":{\"create-type\":\"monolithicFlat\"}}}";
        String sparse = "{\"format\":\"vmdk\",\"format-specific\":{\"data\":{\"create-type\":\"monolithicSparse\"}}}";
        refused(flat, "vmdk", VMDK_TYPES, "Invalid VMDK create-type specified");
        refused("{\"format\":\"vmdk\"}", "vmdk", VMDK_TYPES, "Unable to determine VMDK create-type");
        refused(sparse, "vmdk", List.of(), "Image is a VMDK, but no VMDK createType is specified");
        info(sparse).check("vmdk", VMDK_TYPES);
    }
}
