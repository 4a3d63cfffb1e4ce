package glint.format;

import java.util.List;
import java.util.Set;

/**
 * Glance's {@code [image_format]} options that steer inspection: {@code require_image_format_match} (default true),
 * {@code gpt_safety_checks_nonfatal} (default empty) and {@code vmdk_allowed_types} (default streamOptimized,
 * monolithicSparse).
 */
public record FormatOptions(boolean requireFormatMatch, Set<String> gptSafetyChecksNonfatal, List<String> vmdkAllowedTypes) {
    public FormatOptions {
        gptSafetyChecksNonfatal = Set.copyOf(gptSafetyChecksNonfatal);
        vmdkAllowedTypes = List.copyOf(vmdkAllowedTypes);
    }

    public static FormatOptions defaults() {
        return new FormatOptions(true, Set.of(), List.of("streamOptimized", "monolithicSparse"));
    }
}
