package glint.image.imports;

import glint.data.HashAlgorithm;
import glint.error.GlintException;
import glint.data.ContentCheck;
import glint.image.FormatChecks;
import glint.image.Image;
import glint.image.ImageDataService;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.LocationChecks;
import glint.image.ValidationData;
import glint.store.BlobStore;
import glint.store.StoreRegistry;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@code location_import} task (glance/async_/flows/location_import.py): the location checked
 * ({@link LocationChecks}: "Invalid location" otherwise) and added; with {@code do_secure_hash} on, the data read
 * through its store once, to compute {@code checksum} and {@code os_hash_value} and, in the same pass, to inspect its
 * format ({@link FormatChecks}, as an upload): the image is {@code importing} during the read and turns active only
 * once the hash matches the validation data (if any) and the content passed, with the {@code virtual_size} found.
 * Content the rules refuse fails the task with the reason, as a glance-direct import's, and so does data that cannot
 * be read (it cannot be judged). Glance inspects nothing here: without validation data it turns the image active
 * first and hashes after (a failure then only logged); Glint keeps that order only with {@code inspect_content}
 * off. With {@code do_secure_hash} off nothing is read: the validation data is taken as given and {@code
 * virtual_size} stays unset, as in Glance. The lock is dropped at the end. A failure before the image is active
 * reverts it: back to queued without the location, the size, the virtual size or the hashes (Glance leaves an http
 * location on the image there: its release note calls that wrong).
 */
public final class LocationImportTask {
    public static final String TYPE = "location_import";
    private static final Logger LOG = LoggerFactory.getLogger(LocationImportTask.class);
    /** Glance's {@code http_retries}: reads of the data to hash. */
    static final int HASH_ATTEMPTS = 3;

    private final TaskLifecycle lifecycle;
    private final ImportImages images;
    private final LocationChecks checks;
    private final StoreRegistry stores;
    private final HashAlgorithm configured;
    private final boolean secureHash;
    private final FormatChecks formats;

    public LocationImportTask(TaskLifecycle lifecycle, ImportImages images, LocationChecks checks, StoreRegistry stores,
                              HashAlgorithm configured, boolean secureHash, FormatChecks formats) {
        this.lifecycle = lifecycle;
        this.images = images;
        this.checks = checks;
        this.stores = stores;
        this.configured = configured;
        this.secureHash = secureHash;
        this.formats = formats;
    }

    void run(Task created, String imageId, String url, Map<String, String> validation) {
        Optional<Task> begun = lifecycle.begin(created);
        if (begun.isEmpty()) {
            return;
        }
        Task task = begun.get();
        try {
            execute(imageId, url, validation);
            images.save(imageId, i -> ImportProperties.unlocked(i, task.id()));
            lifecycle.finish(task, TaskStatus.SUCCESS, "");
            LOG.info("task {}: location added to image {}", task.id(), imageId);
        } catch (RuntimeException e) {
            boolean known = e instanceof ImportFailed || e instanceof GlintException;
            String message = known ? e.getMessage() : "Error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("task {}: adding a location to image {} failed: {}", task.id(), imageId, message, known ? null : e);
            revert(imageId, task.id(), url);
            lifecycle.finish(task, TaskStatus.FAILURE, message);
        }
    }

    private void execute(String imageId, String url, Map<String, String> validation) {
        LocationChecks.Checked checked = checks.check(url, Map.of());
        HashAlgorithm algo = Optional.ofNullable(validation.get("os_hash_algo")).map(HashAlgorithm::of).orElse(configured);
        if (!secureHash) {
            change(imageId, ImageStatus.QUEUED, i -> ValidationData.apply(added(i, checked).toBuilder(), validation)
                    .status(ImageStatus.ACTIVE).build());
            return;
        }
        if (validation.isEmpty() && !formats.inspects()) {
            Image active = change(imageId, ImageStatus.QUEUED, i -> added(i, checked).toBuilder().status(ImageStatus.ACTIVE)
                    .osHashAlgo(Optional.of(algo.name())).build());
            try {
                Digests d = read(checked, algo, active);
                change(imageId, ImageStatus.ACTIVE, i -> d.set(i.toBuilder()).build());
            } catch (IOException | ImportFailed e) {
                LOG.warn("image {}: hash calculation failed: {}; the image stays active without checksum", imageId,
                        e.getMessage());
            }
            return;
        }
        Image importing = change(imageId, ImageStatus.QUEUED, i -> added(i, checked).toBuilder()
                .status(ImageStatus.IMPORTING).osHashAlgo(Optional.of(algo.name())).build());
        Digests d;
        try {
            d = read(checked, algo, importing);
        } catch (IOException e) {
            throw new ImportFailed("Hash calculation failed for image " + imageId + " data");
        }
        String given = validation.get("os_hash_value");
        if (!validation.isEmpty() && !d.hash().equals(given)) {
            throw new ImportFailed("os_hash_value: (" + given + ") not matched with actual os_hash_value: (" + d.hash() + ")");
        }
        change(imageId, ImageStatus.IMPORTING, i -> d.set(i.toBuilder()).status(ImageStatus.ACTIVE).build());
    }

    /** The image with the location appended, and its size when it had none; formats required, as for any data. */
    private static Image added(Image image, LocationChecks.Checked checked) {
        image.requireFormats();
        List<ImageLocation> locations = new ArrayList<>(image.locations());
        locations.add(checked.location());
        Image.Builder b = image.toBuilder().locations(locations);
        if (image.size().isEmpty()) {
            b.size(Optional.of(checked.size()));
        }
        return b.build();
    }

    private Image change(String imageId, ImageStatus expected, UnaryOperator<Image> change) {
        return images.saveIf(imageId, expected, change).orElseThrow(() -> images.find(imageId).isEmpty()
                ? new ImageDeletedDuringImport() : new ImportFailed("Image " + imageId + " is no longer " + expected.wire()));
    }

    private record Digests(String md5, String hash, Optional<Long> virtualSize) {
        Image.Builder set(Image.Builder b) {
            return b.checksum(Optional.of(md5)).osHashValue(Optional.of(hash)).virtualSize(virtualSize);
        }
    }

    /**
     * MD5 and {@code algo} of the location's data, read through its store, and its virtual size from the format
     * inspection of the same read, judged against {@code image}'s formats; {@link #HASH_ATTEMPTS} tries.
     *
     * @throws glint.error.GlintException when the inspection refuses the content (not retried)
     */
    private Digests read(LocationChecks.Checked checked, HashAlgorithm algo, Image image) throws IOException {
        BlobStore store = stores.find(checked.location().storeId()).orElseThrow();
        IOException last = null;
        for (int attempt = 1; attempt <= HASH_ATTEMPTS; attempt++) {
            MessageDigest md5 = HashAlgorithm.md5().newDigest();
            MessageDigest digest = algo.newDigest();
            ContentCheck content = formats.of(image);
            try {
                store.read(checked.location().key(), 0, checked.size(), buf -> {
                    content.feed(buf.asReadOnlyBuffer());
                    md5.update(buf.duplicate());
                    digest.update(buf);
                });
                OptionalLong virtualSize = content.finish();
                return new Digests(HexFormat.of().formatHex(md5.digest()), HexFormat.of().formatHex(digest.digest()),
                        ImageDataService.virtualSize(virtualSize));
            } catch (IOException e) {
                LOG.debug("[{}/{}] hash calculation of {} failed: {}", attempt, HASH_ATTEMPTS, checked.location().key(), e);
                last = e;
            }
        }
        throw last;
    }

    /**
     * A failed (or interrupted) task: an image it left importing goes back to queued without the location it added,
     * its size and hashes; the lock is dropped. An image already active keeps its location.
     */
    void revert(String imageId, String taskId, String url) {
        images.saveIf(imageId, null, i -> {
            if (ImportProperties.lockedByOther(i, taskId)) {
                return i;
            }
            Image unlocked = ImportProperties.unlocked(i, taskId);
            if (i.status() != ImageStatus.IMPORTING) {
                return unlocked; // queued: nothing added yet; active: the location stays
            }
            List<ImageLocation> kept = i.locations().stream().filter(l -> l.owned() || !l.key().equals(url)).toList();
            return unlocked.toBuilder().locations(kept).status(ImageStatus.QUEUED).size(Optional.empty())
                    .virtualSize(Optional.empty()).checksum(Optional.empty()).osHashAlgo(Optional.empty())
                    .osHashValue(Optional.empty()).build();
        });
    }

    /** At start: this node's location tasks left unfinished fail, their images reverted. */
    public void recover() {
        recover(lifecycle.node());
    }

    /** The location tasks {@code node} left unfinished fail, their images reverted: at start, or once it died. */
    public void recover(String node) {
        for (Task t : lifecycle.unfinished(node)) {
            if (!t.type().equals(TYPE)) {
                continue;
            }
            LOG.warn("task {} (image {}) was in flight at the last stop; failing it", t.id(), t.imageId().orElse("-"));
            Object url = t.input().get("loc_url");
            t.imageId().ifPresent(id -> revert(id, t.id(), String.valueOf(url)));
            lifecycle.finish(t, TaskStatus.FAILURE, lifecycle.stoppedMessage(node));
        }
    }
}
