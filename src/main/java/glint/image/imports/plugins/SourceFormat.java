package glint.image.imports.plugins;

import glint.format.Detected;
import glint.format.FormatRefused;
import glint.format.FormatRules;
import glint.format.Inspection;
import glint.image.imports.ImportFailed;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The format qemu-img is told the staged data is, from Glint's own inspection of it ({@code glint.format}) before
 * qemu-img ever reads it: Glance's {@code _ConvertImage._inspect_path} and the format checks after it
 * (glance/async_/flows/plugins/image_conversion.py; Nova bug 2059809). The data must pass
 * {@link FormatRules#judge} for its {@code disk_format} (safety checks, vmdk types, format match); then exactly
 * one format must have matched (none: raw), it must be safe (GPT's checks named in
 * {@code gpt_safety_checks_nonfatal} excepted), GPT counts as raw, an ISO is left alone when declared {@code iso}
 * and refused otherwise, and anything else must be the declared {@code disk_format}, whatever
 * {@code require_image_format_match} says.
 */
final class SourceFormat {
    private static final Logger LOG = LoggerFactory.getLogger(SourceFormat.class);
    static final String ISO = "iso";

    private SourceFormat() {}

    /**
     * @return the format to force with {@code -f}; {@value #ISO} when the data is an ISO declared {@code iso}, which
     *     Glance does not convert
     * @throws ImportFailed with Glance's message when the data must not reach qemu-img
     */
    static String of(String diskFormat, Inspection inspection, FormatRules rules, Set<String> gptNonfatal) {
        try {
            rules.judge(diskFormat, inspection);
        } catch (FormatRefused e) {
            LOG.warn("staged data refused by format inspection before conversion: {}", e.getMessage());
            throw new ImportFailed(e.getMessage());
        }
        return detected(diskFormat, inspection, gptNonfatal);
    }

    /** The checks of Glance's plugin after {@link FormatRules#judge}'s: see {@link #of}. */
    static String detected(String diskFormat, Inspection inspection, Set<String> gptNonfatal) {
        List<Detected> formats = inspection.matches().stream().filter(d -> !d.format().equals("raw")).toList();
        if (formats.size() > 1) {
            LOG.warn("multiple formats detected: {}", formats.stream().map(Detected::format).toList());
            throw new ImportFailed("Image format detection failed");
        }
        Detected detected = formats.isEmpty()
                ? inspection.matches().stream().findFirst().orElse(new Detected("raw", inspection.size(), java.util.Map.of()))
                : formats.get(0);
        Set<String> fatal = new HashSet<>(detected.safetyFailures().keySet());
        if (detected.format().equals("gpt")) {
            fatal.removeAll(gptNonfatal);
        }
        if (!fatal.isEmpty()) {
            LOG.warn("{} image failed safety checks: {}", detected.format(), detected.safetyFailures());
            throw new ImportFailed("Image has disallowed configuration");
        }
        String format = detected.format().equals("gpt") ? "raw" : detected.format();
        if (format.equals(ISO)) {
            if (diskFormat.equals(ISO)) {
                return ISO;
            }
            LOG.warn("image claimed to be {} format but format inspection found: ISO", diskFormat);
            throw new ImportFailed("Image has disallowed configuration");
        }
        if (!format.equals(diskFormat)) {
            LOG.warn("image claimed to be {} format failed format inspection: {}", diskFormat, format);
            throw new ImportFailed("Image format mismatch");
        }
        return format;
    }
}
