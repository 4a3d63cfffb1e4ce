package glint.image.imports.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import glint.image.imports.ImportFailed;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code qemu-img info --output=json} says about the staged data, and the checks Glance makes on it before it
 * converts (glance/async_/flows/plugins/image_conversion.py {@code _ConvertImage._execute}, in its order and with
 * its messages): the format qemu-img reads is the one forced; no backing file; no external data file; a vmdk's
 * create-type among {@code [image_format] vmdk_allowed_types}.
 */
record QemuImgInfo(JsonNode json) {
    private static final Logger LOG = LoggerFactory.getLogger(QemuImgInfo.class);

    String format() {
        return json.path("format").asText("unknown");
    }

    /** {@code virtual-size} in bytes; 0 when absent. */
    long virtualSize() {
        return json.path("virtual-size").asLong(0);
    }

    /** @throws ImportFailed with Glance's message when the data must not be converted */
    void check(String sourceFormat, List<String> vmdkAllowedTypes) {
        if (!format().equals(sourceFormat)) {
            LOG.warn("image claiming to be {} reported as {} by qemu-img", sourceFormat, format());
            throw new ImportFailed("Image metadata disagrees about format");
        }
        if (json.has("backing-filename")) {
            LOG.warn("refusing to process an image with a backing file");
            throw new ImportFailed("QCOW images with backing files are not allowed");
        }
        JsonNode dataFile = json.path("format-specific").path("data").path("data-file");
        if (!dataFile.isMissingNode() && !dataFile.isNull()) {
            throw new ImportFailed("QCOW images with data-file set are not allowed");
        }
        if (format().equals("vmdk")) {
            String createType = json.path("format-specific").path("data").path("create-type").asText("");
            if (createType.isEmpty()) {
                throw new ImportFailed("Unable to determine VMDK create-type");
            }
            if (vmdkAllowedTypes.isEmpty()) {
                LOG.warn("refusing to process a VMDK file as vmdk_allowed_types is empty");
                throw new ImportFailed("Image is a VMDK, but no VMDK createType is specified");
            }
            if (!vmdkAllowedTypes.contains(createType)) {
                LOG.warn("refusing to process a VMDK file with create-type {}, not in {}", createType, vmdkAllowedTypes);
                throw new ImportFailed("Invalid VMDK create-type specified");
            }
        }
    }
}
