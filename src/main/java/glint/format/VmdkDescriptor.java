package glint.format;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A vmdk text descriptor read as cautiously as oslo.utils does: lower-cased ASCII, every line a comment, a
 * {@code ddb} line, a {@code key=value} header field or an extent line ({@code rw}/{@code rdonly}/{@code noaccess});
 * anything else refuses it. Extent names may not contain {@code /}.
 *
 * @param createType the createType as written ({@code ""} when there is none)
 * @param problem why the descriptor is unsafe, or null
 */
record VmdkDescriptor(String createType, String problem) {
    static final String NOT_FOUND = "";

    /** Parses descriptor bytes (already cut at the first NUL); {@code createType} is {@code ""} when absent. */
    static VmdkDescriptor parse(byte[] bytes, int length) {
        if (length == 0) {
            return new VmdkDescriptor(NOT_FOUND, "No descriptor found");
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] < 0) {
                return new VmdkDescriptor(NOT_FOUND, "No descriptor found");
            }
        }
        String text = new String(bytes, 0, length, StandardCharsets.US_ASCII);
        String createType = createType(text);
        if (createType.isEmpty()) {
            return new VmdkDescriptor(NOT_FOUND, "Unsupported subformat");
        }
        String type = createType.toLowerCase(Locale.ROOT);
        if (!type.equals("monolithicsparse") && !type.equals("streamoptimized")) {
            return new VmdkDescriptor(createType, "Unsupported subformat");
        }
        return new VmdkDescriptor(createType, lines(text.toLowerCase(Locale.ROOT)));
    }

    private static String createType(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String key = "createtype=\"";
        int at = lower.indexOf(key);
        if (at < 0) {
            return NOT_FOUND;
        }
        int start = at + key.length();
        int end = lower.indexOf('"', start);
        if (end < 0 || end - start >= 64) {
            return NOT_FOUND;
        }
        return text.substring(start, end);
    }

    private static String lines(String text) {
        int extents = 0;
        boolean slash = false;
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("ddb")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq >= 0 && line.substring(0, eq).indexOf(' ') < 0) {
                continue;
            }
            int space = line.indexOf(' ');
            String access = space < 0 ? line : line.substring(0, space);
            if (!access.equals("rw") && !access.equals("rdonly") && !access.equals("noaccess")) {
                return "Invalid VMDK descriptor data";
            }
            slash |= line.indexOf('/') >= 0;
            extents++;
        }
        if (slash) {
            return "Invalid extent filenames found";
        }
        return extents == 0 ? "No extents found" : null;
    }

    /** A createType usable by name ({@code ""} when the descriptor named none). */
    boolean hasType() {
        return !createType.isEmpty();
    }
}
