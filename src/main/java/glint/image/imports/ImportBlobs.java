package glint.image.imports;

import glint.data.ByteAllowance;
import glint.data.ContentCheck;
import glint.data.HashAlgorithm;
import glint.data.UploadLimits;
import glint.data.UploadPipeline;
import glint.data.UploadResult;
import glint.image.DataJournal;
import glint.image.DataRemoval;
import glint.image.FormatChecks;
import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.PendingData;
import glint.quota.Quotas;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.FileStore;
import glint.store.ProgramOutput;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The data an import writes (staged data, web-download's download, each target store's copy): a blob created with
 * its entry in the data journal ({@link DataJournal}) before its first byte, filled through the
 * {@link UploadPipeline} with an upload's size cap, hashing and format inspection ({@link FormatChecks}), removed
 * with {@link DataRemoval} once no image owns it. Every pipeline run of an import is {@link #fill}, so every copy an
 * import makes is inspected: staging, web-download's download, each target store and each new staged data an import
 * plugin makes (Glance master inspects only the copy to a store, and not in its parallel multi-store import).
 * Staged data is judged with {@code stagedChecks}: with image_decompression, compressed data is judged once
 * decompressed.
 */
public final class ImportBlobs {
    private final DataJournal journal;
    private final DataRemoval removal;
    private final BlobStore staging;
    private final UploadPipeline pipeline;
    private final FormatChecks formats;
    private final HashAlgorithm hashAlgorithm;
    private final long sizeCap;
    private final String node;
    private final UnaryOperator<ContentCheck> stagedChecks;
    private volatile Quotas quotas = Quotas.NONE;

    /**
     * @param stagedChecks the format check of data as it is staged, from the one of any data: an import plugin that
     *     changes the data before it is stored may loosen it (image_decompression: compressed data is judged once
     *     decompressed); the copy to each store is judged as any data
     */
    public ImportBlobs(StoreRegistry stores, DataJournal journal, UploadPipeline pipeline, FormatChecks formats,
                       HashAlgorithm hashAlgorithm, long sizeCap, String node, UnaryOperator<ContentCheck> stagedChecks) {
        this.journal = journal;
        this.removal = new DataRemoval(stores, journal);
        this.staging = stores.find(StoreRegistry.STAGING).orElseThrow(() -> new IllegalArgumentException("no staging store"));
        this.pipeline = pipeline;
        this.formats = formats;
        this.hashAlgorithm = hashAlgorithm;
        this.sizeCap = sizeCap;
        this.node = node;
        this.stagedChecks = stagedChecks;
    }

    /** Glance's byte quotas on what an import writes; call once, at wiring time. */
    public void useQuotas(Quotas quotas) {
        this.quotas = quotas;
    }

    Quotas quotas() {
        return quotas;
    }

    /** What {@code project} may write into an image store as {@code blob} ({@code image_size_total}, {@code user_storage_quota}). */
    ByteAllowance storageQuota(String project, Blob blob) {
        return quotas.storage(project, blob.pending().id());
    }

    /** What {@code project} may write into staging as {@code blob} ({@code image_stage_total}). */
    ByteAllowance stagingQuota(String project, Blob blob) {
        return quotas.staging(project, blob.pending().id());
    }

    /** A blob being written and its journal entry. */
    record Blob(BlobWriter writer, PendingData pending) {}

    BlobStore staging() {
        return staging;
    }

    /** A new blob of the image in {@code store}, journalled. */
    Blob create(BlobStore store, String imageId) throws IOException {
        return create(store, imageId, imageId);
    }

    /** A new blob named {@code name} (a plain file name) of the image in {@code store}, journalled. */
    Blob create(BlobStore store, String imageId, String name) throws IOException {
        BlobWriter writer = store.create(name);
        return new Blob(writer, journalled(store.id(), writer.location(), imageId, writer::abort));
    }

    /** Staged data that a program writes by path, named {@code name}, journalled. */
    record ProgramBlob(ProgramOutput output, PendingData pending) {}

    ProgramBlob createForProgram(String imageId, String name) throws IOException {
        ProgramOutput output = stagingFiles().createForProgram(name);
        return new ProgramBlob(output, journalled(staging.id(), output.location(), imageId, output::abort));
    }

    /**
     * The staging store's files. {@code node_staging_uri} is file:// only, so staged data is a local file, which
     * the programs and archive readers of the import plugins read by path.
     */
    FileStore stagingFiles() {
        if (staging instanceof FileStore files) {
            return files;
        }
        throw new IllegalStateException("the staging store " + staging + " keeps no local files");
    }

    private PendingData journalled(String storeId, String location, String imageId, Runnable abort) {
        PendingData pending = entry(storeId, location, imageId);
        try {
            journal.add(pending);
        } catch (RuntimeException e) {
            abort.run();
            throw e;
        }
        return pending;
    }

    /**
     * The data of {@code image} into the blob, inspected against its disk format, committed; on failure the pipeline
     * has aborted the writer and the entry goes.
     *
     * @throws glint.error.GlintException when the data is refused (format inspection, size cap): the client's fault
     */
    UploadResult fill(Blob blob, Image image, InputStream data, OptionalLong expectedSize, ByteAllowance quota)
            throws IOException {
        return fill(blob, data, expectedSize, formats.of(image), quota);
    }

    /** {@link #fill} for data as it is staged (stage, web-download, glance-download), with the staged data's format check. */
    UploadResult fillStaged(Blob blob, Image image, InputStream data, OptionalLong expectedSize, ByteAllowance quota)
            throws IOException {
        return fill(blob, data, expectedSize, stagedChecks.apply(formats.of(image)), quota);
    }

    private UploadResult fill(Blob blob, InputStream data, OptionalLong expectedSize, ContentCheck check,
                              ByteAllowance quota) throws IOException {
        try {
            return pipeline.run(data, blob.writer(), hashAlgorithm,
                    UploadLimits.of(sizeCap).withExpectedSize(expectedSize).withAllowance(quota), check);
        } catch (IOException | RuntimeException e) {
            journal.remove(blob.pending().id());
            throw e;
        }
    }

    /**
     * {@code data} into a new staged blob of the image, inspected against its disk format ({@link #fill}): what
     * web-download and glance-download fetch, within {@code project}'s {@code image_stage_total} (reserved until the
     * staged data is removed).
     */
    ImportSource.Data toStaging(Image image, InputStream data, OptionalLong expectedSize, String project) throws IOException {
        Blob blob = create(staging, image.id());
        UploadResult r = fillStaged(blob, image, data, expectedSize, stagingQuota(project, blob));
        return new ImportSource.Data(staging, blob.pending().location(), r.size(), Optional.of(blob.pending()));
    }

    /** A blob not filled after all: aborted, its entry gone. */
    void abandon(Blob blob) {
        blob.writer().abort();
        journal.remove(blob.pending().id());
    }

    /** Data no image owns any more: deleted, then its entry (which stays for the next start if that fails). */
    void remove(PendingData entry) {
        removal.remove(entry);
    }

    /** The entry, not yet journalled, for an image's data this node gives up. */
    PendingData released(String imageId, ImageLocation location) {
        return entry(location.storeId(), location.key(), imageId);
    }

    /** The staged data this node journalled for the image. */
    Optional<PendingData> stagedHere(String imageId) {
        return stagedHere().stream().filter(p -> p.imageId().equals(imageId)).findFirst();
    }

    /** All staged data this node journalled. */
    List<PendingData> stagedHere() {
        return journal.ofNode(node).stream().filter(p -> p.storeId().equals(StoreRegistry.STAGING)).toList();
    }

    private PendingData entry(String storeId, String location, String imageId) {
        return new PendingData(UUID.randomUUID().toString(), storeId, location, imageId, node);
    }
}
