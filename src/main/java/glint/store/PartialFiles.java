package glint.store;

import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The names of {@link FileStore}'s blobs being written: {@code .<image-id>.<uuid>.partial}, beside the final
 * {@code <image-id>}. A name that does not have this form is never the store's (and never removed by it).
 */
final class PartialFiles {
    private static final String PREFIX = ".";
    private static final String SUFFIX = ".partial";
    private static final Pattern RANDOM = Pattern.compile("[0-9a-fA-F-]{8,36}");

    private PartialFiles() {}

    static String newName(String imageId) {
        return PREFIX + imageId + "." + UUID.randomUUID() + SUFFIX;
    }

    /** A glob for the partial files of {@code imageId} ({@code *}: of every image); check with {@link #imageIdOf}. */
    static String globOf(String imageId) {
        return PREFIX + imageId + ".*" + SUFFIX;
    }

    /** The image id in a partial file's name; null for any other name. */
    static String imageIdOf(Path file) {
        String n = file.getFileName().toString();
        if (!n.startsWith(PREFIX) || !n.endsWith(SUFFIX)) {
            return null;
        }
        String body = n.substring(PREFIX.length(), n.length() - SUFFIX.length());
        int dot = body.lastIndexOf('.');
        if (dot < 0 || !RANDOM.matcher(body.substring(dot + 1)).matches()) {
            return null;
        }
        String id = body.substring(0, dot);
        return BlobNames.valid(id) ? id : null;
    }
}
