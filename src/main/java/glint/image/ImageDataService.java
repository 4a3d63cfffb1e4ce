package glint.image;

import glint.auth.RequestContext;
import glint.data.ByteAllowance;
import glint.data.ByteRange;
import glint.data.ClientBodyException;
import glint.data.HashAlgorithm;
import glint.data.UploadLimits;
import glint.data.UploadPipeline;
import glint.data.UploadResult;
import glint.data.UploadSource;
import glint.error.ErrorKind;
import glint.quota.CountLimit;
import glint.quota.QuotaResource;
import glint.quota.Quotas;
import glint.error.GlintException;
import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.ByteSink;
import glint.store.StorageFullException;
import glint.store.StoreUnavailableException;
import glint.store.StoreReadOnlyException;
import glint.store.StoreRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image data: upload, download, and removal of data with the crash journal ({@link DataJournal}), so that a
 * crash at any moment leaves neither an active image without its data nor data without an image once
 * {@link #recover()} has run. Upload follows Glance's ImageDataController.upload (glance/api/v2/image_data.py).
 */
public final class ImageDataService {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDataService.class);

    private final ImageService images;
    private final ImageAccess access;
    private final ImageRepository repository;
    private final DataJournal journal;
    private final StoreRegistry stores;
    private final DataRemoval removal;
    private final UploadPipeline pipeline;
    private final FormatChecks formats;
    private final HashAlgorithm hashAlgorithm;
    private final long sizeCap;
    private final String node;
    private final Clock clock;
    private volatile DataCache cache = DataCache.NONE;
    private volatile Quotas quotas = Quotas.NONE;
    private volatile boolean sharedStaging;

    public ImageDataService(ImageService images, ImageAccess access, ImageRepository repository, DataJournal journal,
                            StoreRegistry stores, UploadPipeline pipeline, FormatChecks formats, HashAlgorithm hashAlgorithm,
                            long sizeCap, String node, Clock clock) {
        this.images = images;
        this.access = access;
        this.repository = repository;
        this.journal = journal;
        this.stores = stores;
        this.removal = new DataRemoval(stores, journal);
        this.pipeline = pipeline;
        this.formats = formats;
        this.hashAlgorithm = hashAlgorithm;
        this.sizeCap = sizeCap;
        this.node = node;
        this.clock = clock;
    }

    /** With a staging directory every node sees ({@code [cluster] shared_staging}); call once, at wiring time. */
    public void sharedStaging(boolean shared) {
        this.sharedStaging = shared;
    }

    /** Serves downloads from {@code cache} when it holds the image; call once, at wiring time. */
    public void useCache(DataCache cache) {
        this.cache = cache;
    }

    /**
     * Checks Glance's quotas on uploads ({@code image_count_uploading}; {@code image_size_total} or
     * {@code user_storage_quota} as the bytes stream in); call once, at wiring time.
     */
    public void useQuotas(Quotas quotas) {
        this.quotas = quotas;
    }

    /**
     * queued → saving → active, with the data durable before the image turns active. Any failure puts the image
     * back to queued and removes what was written.
     */
    public Image upload(RequestContext ctx, String id, UploadSource data, OptionalLong expectedSize, Optional<String> storeId)
            throws IOException {
        UploadLimits limits = UploadLimits.of(sizeCap).withExpectedSize(expectedSize);
        return upload(ctx, id, storeId, (image, writer, quota) -> pipeline.run(data, writer, hashAlgorithm,
                limits.withAllowance(quota), formats.of(image)));
    }

    /** {@link #upload(RequestContext, String, UploadSource, OptionalLong, Optional)} from a stream. */
    public Image upload(RequestContext ctx, String id, InputStream data, OptionalLong expectedSize, Optional<String> storeId)
            throws IOException {
        UploadLimits limits = UploadLimits.of(sizeCap).withExpectedSize(expectedSize);
        return upload(ctx, id, storeId, (image, writer, quota) -> pipeline.run(data, writer, hashAlgorithm,
                limits.withAllowance(quota), formats.of(image)));
    }

    /** Streams the data of {@code image} into a writer, inspects and commits it: one of the pipeline's runs. */
    @FunctionalInterface
    private interface DataTransfer {
        UploadResult into(Image image, BlobWriter writer, ByteAllowance quota) throws IOException;
    }

    private Image upload(RequestContext ctx, String id, Optional<String> storeId, DataTransfer transfer) throws IOException {
        BlobStore store = storeId.map(stores::get).orElse(stores.defaultStore());
        Image image = access.visible(ctx, id);
        try {
            access.enforce("upload_image", ctx, image);
        } catch (GlintException e) {
            if (e.kind() == ErrorKind.FORBIDDEN) {
                throw GlintException.forbidden("Not allowed to upload image data for image " + id);
            }
            throw e;
        }
        if (image.status() != ImageStatus.QUEUED) {
            throw GlintException.conflict("Image status transition from " + image.status().wire() + " to saving is not allowed");
        }
        image.requireFormats();
        BlobWriter writer;
        try {
            writer = store.create(id); // nothing is stored before the first byte (BlobStore#create)
        } catch (StoreReadOnlyException e) {
            // glance_store's StoreAddDisabled, answered 410 by image_data.py
            throw new GlintException(ErrorKind.GONE, "Error in store configuration. Adding images to store is disabled.");
        } catch (StoreUnavailableException e) {
            images.events().uploadFailed(failureMessage(id, e));
            throw GlintException.unavailable(e);
        } catch (IOException | RuntimeException e) {
            images.events().uploadFailed(failureMessage(id, e));
            throw e;
        }
        PendingData pending = new PendingData(UUID.randomUUID().toString(), store.id(), writer.location(), id, node);
        // saving and the journal entry in one transaction: killed at any moment after this, recover() finds the entry,
        // removes whatever was written and puts the image back to queued (found by the crash harness: with the status
        // first and the entry after, a kill in between left the image in saving for good)
        // Glance's enforce_image_count_uploading once the image is saving; here in the same transaction
        Optional<CountLimit> uploading = quotas.countLimit(ctx.projectId(), QuotaResource.IMAGE_COUNT_UPLOADING);
        Optional<Image> saving;
        try {
            saving = transition(id, ImageStatus.QUEUED, i -> i.toBuilder().status(ImageStatus.SAVING)
                    .updatedAt(now()).build(), i -> toSaving(i, pending, uploading));
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        }
        if (saving.isEmpty()) {
            writer.abort();
            throw GlintException.conflict("Image status transition from " + repository.find(id).map(i -> i.status().wire())
                    .orElse("deleted") + " to saving is not allowed");
        }
        ImageEvents events = images.events();
        events.updated(saving.get());
        events.preparing(saving.get(), store.id());
        UploadResult result;
        try {
            result = transfer.into(image, writer, quotas.storage(ctx.projectId(), pending.id()));
        } catch (IOException | RuntimeException e) {
            // the pipeline has aborted the writer; nothing of the data is left
            journal.remove(pending.id());
            uploadFailed(id, e);
            throw e;
        }
        // from the image as it is now: metadata changed during the upload (PATCH, tags) is kept
        Optional<Image> active = transition(id, ImageStatus.SAVING, i -> i.toBuilder()
                .status(ImageStatus.ACTIVE)
                .size(Optional.of(result.size()))
                .virtualSize(virtualSize(result))
                .checksum(Optional.of(result.md5()))
                .osHashAlgo(Optional.of(result.hashAlgorithm()))
                .osHashValue(Optional.of(result.hashValue()))
                .locations(List.of(new ImageLocation(store.id(), writer.location(), "active")))
                .updatedAt(now())
                .build(), i -> repository.activate(i, ImageStatus.SAVING, pending.id()));
        if (active.isEmpty()) {
            removal.removeIfJournalled(pending);
            GlintException gone = new GlintException(ErrorKind.GONE, "Image " + id + " could not be found after upload. The "
                    + "image may have been deleted during the upload, cleaning up the chunks uploaded.");
            events.uploadFailed(gone.getMessage());
            throw gone;
        }
        events.uploaded(active.get(), true);
        events.updated(active.get());
        return active.get();
    }

    /**
     * queued → saving with the journal entry, within the count quota when there is one (else 413, the image still
     * queued and nothing journalled).
     */
    private boolean toSaving(Image saving, PendingData pending, Optional<CountLimit> uploading) {
        if (uploading.isEmpty()) {
            return repository.startWriting(saving, ImageStatus.QUEUED, pending);
        }
        Optional<CountLimit.Outcome> outcome = repository.startWriting(saving, ImageStatus.QUEUED, pending, uploading.get());
        if (outcome.isPresent() && !outcome.get().within()) {
            throw quotas.countExceeded(uploading.get(), outcome.get().before());
        }
        return outcome.isPresent();
    }

    /**
     * A failed upload: {@code image.upload} at ERROR with Glance's message for the failure, then the image back to
     * queued ({@code image.update}), as Glance's upload controller restores it.
     */
    private void uploadFailed(String id, Exception e) {
        images.events().uploadFailed(failureMessage(id, e));
        restore(id).ifPresent(images.events()::updated);
    }

    private static String failureMessage(String id, Exception e) {
        String message;
        if (e instanceof StorageFullException) {
            message = "Image storage media is full: " + e.getMessage();
        } else if (e instanceof ClientBodyException || e instanceof GlintException g && !g.kind().serverFault()) {
            message = "Cannot save data for image " + id + ": " + e.getMessage();
        } else {
            message = "Failed to upload image data for image " + id + " due to internal error: " + e.getMessage();
        }
        return message;
    }

    /** The image changed as it is now, if its status is {@code expected}, saved with {@code save}; see {@link ImageRewrite}. */
    private Optional<Image> transition(String id, ImageStatus expected, UnaryOperator<Image> change, Predicate<Image> save) {
        return ImageRewrite.apply(repository, id, expected, change, (current, next) -> save.test(next), 20);
    }

    /** What a download will send: the image, where its data is (in the order to try), the range, and to whom. */
    public record Download(Image image, List<ImageLocation> locations, Optional<ByteRange> range, RequestContext receiver) {
        /** Whether there is data to send at all (Glance answers 204 for an image without locations). */
        public boolean hasData() {
            return !locations.isEmpty();
        }
    }

    public Download prepareDownload(RequestContext ctx, String id, Optional<String> rangeHeader) {
        Image image = access.visible(ctx, id);
        if (image.status() == ImageStatus.DEACTIVATED && !ctx.isAdmin()) {
            throw GlintException.forbidden("The requested image has been deactivated. Image data download is forbidden.");
        }
        access.enforce("download_image", ctx, image);
        List<ImageLocation> locations = image.locations().stream().filter(l -> stores.find(l.storeId()).isPresent()).toList();
        if (locations.isEmpty() || image.size().isEmpty()) {
            return new Download(image, List.of(), Optional.empty(), ctx);
        }
        return new Download(image, locations, ByteRange.parse(rangeHeader.orElse(null), image.size().get()), ctx);
    }

    /**
     * Streams the data from the cache or the first location whose store has it, as Glance's {@code get_data} tries
     * each location in turn (glance/location.py): a location without data, or whose store fails before sending a
     * byte, is skipped.
     *
     * @throws GlintException NO_DATA when no store has the data: Glance answers 204 (glance_store.NotFound caught in
     *     image_data.py ResponseSerializer.download); nothing has been sent then
     * @throws IOException when a store fails once the response started, or every location's store failed
     */
    public void send(Download download, ByteSink sink) throws IOException {
        long length = download.range().map(ByteRange::length).orElse(download.image().size().orElseThrow());
        long[] sent = {0};
        boolean complete = false;
        try {
            sendFrom(download, buffer -> {
                int n = buffer.remaining();
                sink.write(buffer);
                sent[0] += n;
            });
            complete = true;
        } finally {
            // Glance's image.send once the data is out; ERROR when the download ended short (a download that sent
            // nothing, as the 204 for missing data, tells nothing)
            if (complete || sent[0] > 0) {
                images.events().sent(download.image(), download.receiver(), sent[0], length);
            }
        }
    }

    private void sendFrom(Download download, ByteSink sink) throws IOException {
        Image image = download.image();
        if (download.range().isEmpty() && image.status() == ImageStatus.ACTIVE) {
            // a whole active image: from the cache, or from the stores while it fills the cache (Glance's cache
            // middleware caches whole downloads only)
            cache.readThrough(image, (offset, length, out) -> readStores(download, offset, length, out), sink);
            return;
        }
        long offset = download.range().map(ByteRange::offset).orElse(0L);
        long length = download.range().map(ByteRange::length).orElse(image.size().orElseThrow());
        if (cache.read(image, offset, length, sink)) {
            return;
        }
        readStores(download, offset, length, sink);
    }

    /** Bytes of the image from the first of its locations whose store has them (Glance's get_data). */
    private void readStores(Download download, long offset, long length, ByteSink sink) throws IOException {
        Image image = download.image();
        IOException failed = null;
        for (ImageLocation location : download.locations()) {
            boolean[] sent = {false};
            try {
                stores.get(location.storeId()).read(location.key(), offset, length, buf -> {
                    sent[0] = true;
                    sink.write(buf);
                });
                return;
            } catch (BlobNotFoundException e) {
                LOG.warn("image {} has no data at {} in store {}", image.id(), location.key(), location.storeId());
            } catch (IOException e) {
                if (sent[0]) {
                    throw e;
                }
                // Glance's get_data tries the next location whatever failed (a web server down, a store error)
                LOG.warn("image {}: reading {} in store {} failed, trying its next location: {}", image.id(),
                        location.key(), location.storeId(), e.toString());
                failed = e;
            }
        }
        if (failed instanceof StoreUnavailableException) {
            throw GlintException.unavailable(failed); // Glance: RemoteServiceUnavailable → 503 (image_data.py download)
        }
        if (failed != null) {
            throw failed;
        }
        throw new GlintException(ErrorKind.NO_DATA, "Image " + image.id() + " is " + image.status().wire()
                + " but none of its " + download.locations().size() + " location(s) has data");
    }

    public void delete(RequestContext ctx, String id) {
        List<PendingData> orphans = images.delete(ctx, id, node);
        cache.forget(id);
        orphans.forEach(this::removeData);
        // data staged for an import (glance-direct) belongs to no location; it goes with the image, whichever node
        // staged it (the node deleting it may not be the one that staged it: with [cluster] shared_staging it sees
        // the data; without, its store is another node's directory and the entry stays for that node's recovery)
        journal.ofImage(id).stream().filter(p -> p.storeId().equals(StoreRegistry.STAGING))
                .filter(p -> p.node().equals(node) || sharedStaging)
                .forEach(this::removeData);
    }

    /**
     * Start-up housekeeping: removes unfinished temporary files of every store, then the data of this node's
     * journal entries (uploads cut short, deletions not finished) and puts images left in {@code saving} back to
     * {@code queued}.
     */
    public void recover() throws IOException {
        stores.cleanup();
        recover(node);
    }

    /**
     * The data of {@code node}'s journal entries removed and images it left in {@code saving} back to {@code queued}:
     * this node's at start, or a dead node's once its lease expired ({@link glint.cluster.NodeLease}). An entry whose
     * image is saving through another node meanwhile is not that upload's: the restore is a compare-and-set on the
     * image's status and version, but a retried upload has its own entry, so only the dead node's data goes.
     */
    public void recover(String node) {
        for (PendingData entry : journal.ofNode(node)) {
            removeData(entry);
            if (!journal.ofImage(entry.imageId()).stream().anyMatch(p -> !p.node().equals(node)
                    && !p.storeId().equals(StoreRegistry.STAGING))) {
                restore(entry.imageId());
            }
        }
    }

    /** saving → queued, as the image is now; the image restored, or empty when it left saving meanwhile. */
    private Optional<Image> restore(String id) {
        Optional<Image> queued = transition(id, ImageStatus.SAVING, i -> i.toBuilder().status(ImageStatus.QUEUED)
                .size(Optional.empty()).virtualSize(Optional.empty()).updatedAt(now()).build(),
                i -> repository.update(i, ImageStatus.SAVING));
        if (queued.isEmpty()) {
            LOG.debug("image {} left saving in the meantime", id);
        }
        return queued;
    }

    private void removeData(PendingData entry) {
        removal.remove(entry);
    }

    /** Glance sets {@code virtual_size} only when inspection found one ({@code if virtual_size:} in set_data). */
    public static Optional<Long> virtualSize(UploadResult result) {
        return virtualSize(result.virtualSize());
    }

    /** The virtual size an inspection found, as the image's {@code virtual_size}: only when non-zero, as Glance sets it. */
    public static Optional<Long> virtualSize(java.util.OptionalLong found) {
        return found.isPresent() && found.getAsLong() > 0 ? Optional.of(found.getAsLong()) : Optional.empty();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
