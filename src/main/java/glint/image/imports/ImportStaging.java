package glint.image.imports;

import glint.data.ByteAllowance;
import glint.data.UploadResult;
import glint.image.Image;
import glint.image.PendingData;
import glint.store.ByteSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * What an {@link ImportStep} (an import plugin, {@code glint.image.imports.plugins}) may do with a task's staged
 * data and its image. Staged data is a file of the staging store, so a step can hand it to a program by path
 * ({@link #file}); a step that makes new data gets a new staged blob ({@code <old name>.<suffix>}, Glance's naming:
 * {@code <image-id>.uc}, {@code <image-id>.raw}), journalled before its first byte as every blob of an import
 * ({@link ImportBlobs}); once it is complete the old staged data is removed. A crash at any point leaves only
 * journalled or temporary files, which the next start removes.
 */
public final class ImportStaging {
    private final ImportBlobs blobs;
    private final ImportImages images;

    public ImportStaging(ImportBlobs blobs, ImportImages images) {
        this.blobs = blobs;
        this.images = images;
    }

    /** The image as it is now. @throws ImportFailed when it has been deleted */
    public Image image(String imageId) {
        return images.current(imageId);
    }

    /** Changes the image (read-modify-write). @throws ImportFailed when it has been deleted */
    public void saveImage(String imageId, UnaryOperator<Image> change) {
        images.save(imageId, change);
    }

    /** The local file of the staged data, for a program or an archive reader. */
    public Path file(ImportSource.Data staged) throws IOException {
        return blobs.stagingFiles().file(pending(staged).location());
    }

    /** Streams the staged data through {@code sink}, in the store's buffers (file-mapped windows): no copy in memory. */
    public void read(ImportSource.Data staged, ByteSink sink) throws IOException {
        staged.store().read(staged.location(), 0, staged.size(), sink);
    }

    /**
     * New staged data from {@code data}, through the upload pipeline (the size cap, and format inspection against
     * the image's {@code disk_format}); the old staged data is removed once the new is complete.
     */
    public ImportSource.Data refill(ImportPlan plan, ImportSource.Data staged, String suffix, InputStream data)
            throws IOException {
        Image image = images.current(plan.imageId());
        ImportBlobs.Blob blob = blobs.create(blobs.staging(), plan.imageId(), name(staged, suffix));
        UploadResult result = blobs.fill(blob, image, data, OptionalLong.empty(), ByteAllowance.NONE); // aborted and unjournalled on failure
        return replace(staged, blob.pending(), result.size());
    }

    /** Writes new staged data into a file by path: a program. */
    @FunctionalInterface
    public interface Program {
        void writeTo(Path output) throws IOException;
    }

    /**
     * New staged data written by {@code program}, then {@code change} saved on the image; the old staged data is
     * removed once both are done. On failure the new data is removed and the old stays the task's.
     */
    public ImportSource.Data produce(ImportPlan plan, ImportSource.Data staged, String suffix, Program program,
                                     UnaryOperator<Image> change) throws IOException {
        ImportBlobs.ProgramBlob out = blobs.createForProgram(plan.imageId(), name(staged, suffix));
        long size;
        try {
            program.writeTo(out.output().file());
            out.output().commit();
            size = blobs.staging().size(out.pending().location());
            images.save(plan.imageId(), change);
        } catch (IOException | RuntimeException e) {
            out.output().abort();
            blobs.remove(out.pending());
            throw e;
        }
        return replace(staged, out.pending(), size);
    }

    private ImportSource.Data replace(ImportSource.Data old, PendingData now, long size) {
        blobs.remove(pending(old));
        return new ImportSource.Data(blobs.staging(), now.location(), size, Optional.of(now));
    }

    private String name(ImportSource.Data staged, String suffix) throws IOException {
        return file(staged).getFileName() + "." + suffix;
    }

    private static PendingData pending(ImportSource.Data staged) {
        return staged.staged().orElseThrow(() -> new ImportFailed("The import has no staged data"));
    }
}
