package glint.image.imports.plugins;

import glint.image.imports.ImportFailed;
import glint.image.imports.ImportPlan;
import glint.image.imports.ImportSource;
import glint.image.imports.ImportStaging;
import glint.image.imports.ImportStep;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code image_decompression}: compressed staged data decompressed before it is stored (Glance master's
 * glance/async_/flows/plugins/image_decompression.py {@code _DecompressImage}). The kind is told by the magic
 * bytes at the start, as Glance does: gzip ({@code 1f 8b 08}) and zip ({@code PK 03 04}); anything else passes
 * unchanged, as does all data of an image whose {@code container_format} is {@code compressed}. Glance also knows
 * LHA through the optional {@code lhafile} module, which Debian does not package; Glint answers an LHA archive as
 * Glance does without that module: the task fails ("No lhafile available.").
 *
 * <p>The data is decompressed as a stream into new staged data through the upload pipeline
 * ({@link ImportStaging#refill}): {@code image_size_cap} stops a decompression bomb at the cap, and the
 * decompressed data is inspected against the image's {@code disk_format}. A zip archive must hold exactly one
 * member ("Archive contains more than one file.", Glance's message), whose name is a plain file name (no
 * directory, no {@code ..}, not absolute: Glance extracts the member to the staging directory under its name;
 * Glint never writes it under its name, but refuses such archives all the same).
 */
final class ImageDecompression implements ImportStep {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDecompression.class);
    private static final byte[] GZIP = {0x1f, (byte) 0x8b, 0x08};
    private static final byte[] ZIP = {0x50, 0x4b, 0x03, 0x04};
    /** LHA's {@code -lh} stands at offset 2. */
    private static final byte[] LHA = {0x2d, 0x6c, 0x68};
    /** Glance's suffix for decompressed data ({@code <path>.uc}). */
    static final String SUFFIX = "uc";
    /** Bytes of the head that tell the kind. */
    static final int HEAD = LHA.length + 2;

    /** What the magic bytes at the start of data say. */
    enum Kind { GZIP, ZIP, LHA, NONE }

    private final ImportStaging staging;

    ImageDecompression(ImportStaging staging) {
        this.staging = staging;
    }

    @Override
    public ImportSource.Data apply(ImportPlan plan, ImportSource.Data staged) throws IOException {
        if (staging.image(plan.imageId()).containerFormat().filter("compressed"::equals).isPresent()) {
            return staged;
        }
        Path file = staging.file(staged);
        Kind kind = kind(head(file));
        if (kind == Kind.GZIP) {
            LOG.info("task {}: decompressing gzip data of image {}", plan.task().id(), plan.imageId());
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
                return staging.refill(plan, staged, SUFFIX, in);
            }
        }
        if (kind == Kind.ZIP) {
            LOG.info("task {}: decompressing zip data of image {}", plan.task().id(), plan.imageId());
            try (ZipFile zip = new ZipFile(file.toFile())) {
                ZipEntry member = onlyMember(zip);
                try (InputStream in = zip.getInputStream(member)) {
                    return staging.refill(plan, staged, SUFFIX, in);
                }
            }
        }
        if (kind == Kind.LHA) {
            throw new ImportFailed("No lhafile available.");
        }
        return staged;
    }

    /** The archive's only member, with a plain file name. */
    static ZipEntry onlyMember(ZipFile zip) {
        if (zip.size() != 1) {
            throw new ImportFailed("Archive contains more than one file.");
        }
        ZipEntry member = zip.entries().nextElement();
        if (member.isDirectory() || !plainName(member.getName())) {
            LOG.warn("zip member name refused: {}", member.getName());
            throw new ImportFailed("Archive member is not a plain file name.");
        }
        return member;
    }

    /** A name that stays in the directory it is extracted to: no separator, no drive, not {@code .} or {@code ..}. */
    static boolean plainName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.chars().noneMatch(c -> c == '/'
                || c == '\\' || c == ':' || c == 0);
    }

    /** Glance's {@code MAGIC_NUMBERS}, in its order. */
    static Kind kind(byte[] head) {
        if (startsWith(head, 0, ZIP)) {
            return Kind.ZIP;
        }
        if (startsWith(head, 2, LHA)) {
            return Kind.LHA;
        }
        return startsWith(head, 0, GZIP) ? Kind.GZIP : Kind.NONE;
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD);
        }
    }

    private static boolean startsWith(byte[] head, int offset, byte[] magic) {
        return head.length >= offset + magic.length
                && Arrays.equals(head, offset, offset + magic.length, magic, 0, magic.length);
    }
}
