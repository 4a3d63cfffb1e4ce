package glint.image.imports;

import glint.auth.RequestContext;
import glint.config.GlintConfig.ImportConfig;
import glint.data.HashAlgorithm;
import glint.data.UploadPipeline;
import glint.data.UploadResult;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.image.DataJournal;
import glint.image.DataRemoval;
import glint.image.Image;
import glint.image.ImageAccess;
import glint.image.ImageLocation;
import glint.image.ImageRepository;
import glint.image.ImageRewrite;
import glint.image.ImageStatus;
import glint.image.PendingData;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.StoreRegistry;
import glint.task.Task;
import glint.task.TaskRepository;
import glint.task.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interoperable image import (Glance's {@code ImagesController.import_image}, {@code ImageDataController.stage} and
 * the {@code api_image_import} flow in glance/async_/flows/api_image_import.py):
 * <ul>
 *   <li>{@link #stage}: queued → uploading, the data in the staging store (size cap and hashing as an upload).</li>
 *   <li>{@link #importImage}: checks the request as Glance does, records a {@link Task}, takes the image's import
 *       lock ({@code os_glance_import_task}) and runs the task on a fixed pool of {@code task_pool_threads}.</li>
 *   <li>The task: web-download fetches into staging first; then the staged data (or, for copy-image, the image's
 *       data) goes to each target store through the {@link UploadPipeline}. Progress shows in
 *       {@code os_glance_importing_to_stores} and {@code os_glance_failed_import}. On success the image is active,
 *       the staged data removed and the lock dropped; on failure (with {@code all_stores_must_succeed}) every store
 *       written by the task is given up, the image goes back to queued (copy-image: stays active).</li>
 * </ul>
 * Crash safety: staged data and every blob being written are in the data journal ({@link DataJournal}) from before
 * their first byte; {@link #recover()} fails this node's unfinished tasks and reverts their images, and puts images
 * whose staged data the restart discards back to queued. ImageDataService.recover() then removes the data.
 */
public final class ImportService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);
    public static final String LOCK = "os_glance_import_task";
    public static final String IMPORTING = "os_glance_importing_to_stores";
    public static final String FAILED = "os_glance_failed_import";
    public static final String STAGE_HOST = "os_glance_stage_host";
    /** Glance's {@code _enforce_import_lock}: a lock whose task has not moved for this long may be taken over. */
    static final Duration LOCK_EXPIRY = Duration.ofMinutes(60);

    private final ImageAccess access;
    private final ImageRepository images;
    private final DataJournal journal;
    private final TaskRepository tasks;
    private final StoreRegistry stores;
    private final DataRemoval removal;
    private final BlobStore staging;
    private final boolean multiStore;
    private final UploadPipeline pipeline;
    private final HashAlgorithm hashAlgorithm;
    private final long sizeCap;
    private final ImportConfig config;
    private final WebSource web;
    private final ExecutorService runner;
    private final Executor threads;
    private final String node;
    private final Clock clock;

    public ImportService(ImageAccess access, ImageRepository images, DataJournal journal, TaskRepository tasks,
                         StoreRegistry stores, boolean multiStore, UploadPipeline pipeline, HashAlgorithm hashAlgorithm,
                         long sizeCap, ImportConfig config, WebSource web, ExecutorService runner, Executor threads,
                         String node, Clock clock) {
        this.access = access;
        this.images = images;
        this.journal = journal;
        this.tasks = tasks;
        this.stores = stores;
        this.removal = new DataRemoval(stores, journal);
        this.staging = stores.find(StoreRegistry.STAGING).orElseThrow(() -> new IllegalArgumentException("no staging store"));
        this.multiStore = multiStore;
        this.pipeline = pipeline;
        this.hashAlgorithm = hashAlgorithm;
        this.sizeCap = sizeCap;
        this.config = config;
        this.web = web;
        this.runner = runner;
        this.threads = threads;
        this.node = node;
        this.clock = clock;
        for (String m : config.enabledMethods()) {
            if (!ImportRequest.METHODS.contains(m)) {
                throw new IllegalArgumentException("enabled_import_methods: '" + m + "' is not supported (supported: "
                        + String.join(", ", ImportRequest.METHODS) + ")");
            }
        }
    }

    /** {@code [DEFAULT] enabled_import_methods}, as configured. */
    public List<String> enabledMethods() {
        return config.enabledMethods();
    }

    // ---- stage -------------------------------------------------------------------------------------------------

    /** {@code PUT /v2/images/{id}/stage}: queued → uploading with the data in staging; a failure puts it back. */
    public void stage(RequestContext ctx, String id, InputStream data, OptionalLong expectedSize) throws IOException {
        if (!enabledMethods().contains(ImportRequest.GLANCE_DIRECT)) {
            throw GlintException.notFound("'glance-direct' method is not available at this site.");
        }
        Image image = access.visible(ctx, id);
        access.enforce("modify_image", ctx, image);
        if (image.status() != ImageStatus.QUEUED) {
            throw GlintException.conflict("Image status transition from " + image.status().wire() + " to uploading is not allowed");
        }
        BlobWriter writer;
        try {
            writer = staging.create(id);
        } catch (FileAlreadyExistsException e) {
            throw GlintException.conflict("The image " + id + " has data on staging");
        }
        PendingData pending = new PendingData(UUID.randomUUID().toString(), staging.id(), writer.location(), id, node);
        journal.add(pending);
        Map<String, String> props = new HashMap<>(image.properties());
        props.put(STAGE_HOST, node);
        Image uploading = image.toBuilder().status(ImageStatus.UPLOADING).properties(props).updatedAt(now()).build();
        if (!images.update(uploading, ImageStatus.QUEUED)) {
            writer.abort();
            journal.remove(pending.id());
            throw GlintException.conflict("Image status transition from " + images.find(id).map(i -> i.status().wire())
                    .orElse("deleted") + " to uploading is not allowed");
        }
        UploadResult result;
        try {
            result = pipeline.run(data, writer, hashAlgorithm, sizeCap, expectedSize);
        } catch (IOException | RuntimeException e) {
            journal.remove(pending.id()); // the pipeline has aborted the writer
            saveQuietly(id, ImageStatus.UPLOADING, i -> unstaged(i));
            throw e;
        }
        // Glance records the staged size on the image
        if (saveQuietly(id, ImageStatus.UPLOADING, i -> i.toBuilder().size(Optional.of(result.size())).build()).isEmpty()) {
            removeData(pending);
            throw new GlintException(ErrorKind.GONE, "Image " + id + " could not be found after staging. The image may "
                    + "have been deleted during the upload.");
        }
    }

    // ---- import ------------------------------------------------------------------------------------------------

    /**
     * {@code POST /v2/images/{id}/import}: the checks of Glance's {@code import_image} in its order, then the task.
     *
     * @return the task started, or empty when there is nothing to do (copy-image to all stores, all have it)
     */
    public Optional<Task> importImage(RequestContext ctx, String id, ImportRequest req) {
        String method = req.method();
        Image image = access.visible(ctx, id);
        boolean copy = method.equals(ImportRequest.COPY_IMAGE);
        if (image.status() == ImageStatus.ACTIVE && !copy) {
            throw GlintException.conflict("Image with status active cannot be target for import");
        }
        if (image.status() != ImageStatus.ACTIVE && copy) {
            throw GlintException.conflict("Only images with status active can be targeted for copying");
        }
        if (image.status() != ImageStatus.QUEUED && method.equals(ImportRequest.WEB_DOWNLOAD)) {
            throw GlintException.conflict("Image needs to be in 'queued' state to use '" + method + "' method");
        }
        if (image.status() != ImageStatus.UPLOADING && method.equals(ImportRequest.GLANCE_DIRECT)) {
            throw GlintException.conflict("Image needs to be staged before 'glance-direct' method can be used");
        }
        if (image.containerFormat().isEmpty()) {
            throw GlintException.conflict("'container_format' needs to be set before import");
        }
        if (image.diskFormat().isEmpty()) {
            throw GlintException.conflict("'disk_format' needs to be set before import");
        }
        access.enforce(copy ? "copy_image" : "modify_image", ctx, image);
        if (image.properties().containsKey(LOCK)) {
            enforceLock(image);
        }
        List<String> targets = targetStores(req);
        if (copy) {
            List<String> present = image.locations().stream().map(ImageLocation::storeId).toList();
            if (req.allStores()) {
                targets = targets.stream().filter(s -> !present.contains(s)).toList();
                if (targets.isEmpty()) {
                    LOG.info("image {}: copy-image to all stores, but it is in all of them already", id);
                    return Optional.empty();
                }
            } else {
                for (String s : targets) {
                    if (present.contains(s)) {
                        throw GlintException.badRequest("Image is already present at store '" + s + "'");
                    }
                }
            }
        }
        if (!req.allStoresMustSucceed() && !multiStore) {
            throw GlintException.badRequest("All_stores_must_succeed can only be set with enabled_backends "
                    + req.uri().orElse("None"));
        }
        if (method.equals(ImportRequest.WEB_DOWNLOAD)) {
            try {
                web.filter().check(req.uri().orElse(null));
            } catch (UriFilter.Refused e) {
                LOG.info("image {}: web-download URI refused: {}", id, e.getMessage());
                throw GlintException.badRequest("URI for web-download does not pass filtering: " + req.uri().orElse(null));
            }
        }
        Instant now = now();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("image_id", id);
        input.put("import_req", req.body());
        input.put("backend", multiStore ? targets : Arrays.asList((String) null));
        Task task = new Task(UUID.randomUUID().toString(), Task.IMAGE_IMPORT, TaskStatus.PENDING,
                Optional.ofNullable(ctx.projectId()), Optional.of(id), Optional.ofNullable(ctx.userId()),
                Optional.ofNullable(ctx.requestId()), input, Optional.empty(), "", node, Optional.empty(), now, now);
        tasks.insert(task);
        List<String> shown = multiStore ? targets : List.of();
        Map<String, String> props = new HashMap<>(image.properties());
        props.put(LOCK, task.id());
        props.put(IMPORTING, merge(props.get(IMPORTING), shown, List.of()));
        props.put(FAILED, merge(props.get(FAILED), List.of(), shown));
        Image.Builder locked = image.toBuilder().properties(props).updatedAt(now);
        if (!copy) {
            locked.status(ImageStatus.IMPORTING);
        }
        if (!images.update(locked.build(), image.status())) {
            finish(task, TaskStatus.FAILURE, "Image changed while the import was requested");
            throw GlintException.conflict("New operation on image '" + id + "' is not permitted as prior operation is "
                    + "still in progress");
        }
        Plan plan = new Plan(task, id, method, req.uri(), targets, req.allStoresMustSucceed(), copy);
        runner.execute(() -> run(plan));
        return Optional.of(task);
    }

    /** Glance's {@code get_stores_from_request}; an unknown store is 409 there (glance_store's UnknownScheme). */
    private List<String> targetStores(ImportRequest req) {
        if (req.allStores() && (req.stores().isPresent() || req.storeHeader().isPresent())) {
            throw GlintException.badRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
        }
        if (req.stores().isPresent() && req.storeHeader().isPresent()) {
            throw GlintException.badRequest("Stores parameter and x-image-meta-store header can't be both specified");
        }
        if (!multiStore) {
            return List.of(stores.defaultStore().id());
        }
        List<String> ids = req.allStores() ? stores.all().stream().map(BlobStore::id).toList()
                : req.stores().orElseGet(() -> List.of(req.storeHeader().orElse(stores.defaultStore().id())));
        for (String s : ids) {
            if (stores.all().stream().noneMatch(b -> b.id().equals(s))) {
                throw GlintException.conflict("Unknown scheme '" + s + "' found in URI");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(ids));
    }

    /** Another task holds the image: 409 while it may still be working, else its lock is taken over. */
    private void enforceLock(Image image) {
        String holder = image.properties().get(LOCK);
        Optional<Task> task = tasks.find(holder);
        if (task.isPresent() && !task.get().status().finished()) {
            Duration expiry = task.get().status() == TaskStatus.PENDING ? LOCK_EXPIRY.multipliedBy(2) : LOCK_EXPIRY;
            if (Duration.between(task.get().updatedAt(), clock.instant()).compareTo(expiry) < 0) {
                throw GlintException.conflict("Image has active task");
            }
            finish(task.get(), TaskStatus.FAILURE, "Expired lock preempted");
        }
        LOG.warn("image {}: taking over the import lock of task {} ({})", image.id(), holder,
                task.map(t -> t.status().wire()).orElse("gone"));
    }

    // ---- the task ----------------------------------------------------------------------------------------------

    private record Plan(Task task, String imageId, String method, Optional<String> uri, List<String> stores,
                        boolean mustSucceed, boolean copy) {}

    /** A failure that ends the task with this message. */
    private static final class ImportFailed extends RuntimeException {
        ImportFailed(String message) {
            super(message);
        }
    }

    private void run(Plan plan) {
        Task task = plan.task().withStatus(TaskStatus.PROCESSING, "", Optional.empty(), Optional.empty(), now());
        if (!tasks.update(task, TaskStatus.PENDING)) {
            return; // failed meanwhile (lock taken over, or recovered)
        }
        Optional<PendingData> staged = Optional.empty();
        List<ImageLocation> written = new ArrayList<>();
        try {
            Source source;
            if (plan.copy()) {
                Image image = current(plan.imageId());
                ImageLocation from = image.locations().stream().filter(l -> stores.find(l.storeId()).isPresent())
                        .findFirst().orElseThrow(() -> new ImportFailed("Image has no data in any configured store"));
                source = new Source(stores.find(from.storeId()).get(), from.key(), image.size().orElseThrow());
            } else {
                staged = plan.method().equals(ImportRequest.WEB_DOWNLOAD) ? Optional.of(download(plan)) : stagedData(plan.imageId());
                source = new Source(staging, staged.get().location(), staging.size(staged.get().location()));
            }
            for (int i = 0; i < plan.stores().size(); i++) {
                String storeId = plan.stores().get(i);
                boolean setActive = !plan.copy() && (!plan.mustSucceed() || i == plan.stores().size() - 1);
                try {
                    written.add(importTo(plan, storeId, source, setActive));
                } catch (RuntimeException | IOException e) {
                    if (plan.mustSucceed() || e instanceof ImportFailed && e.getMessage().startsWith("Image has been deleted")) {
                        throw e;
                    }
                    LOG.warn("task {}: import of image {} to store {} failed; all_stores_must_succeed is false, continuing",
                            task.id(), plan.imageId(), storeId, e);
                    save(plan.imageId(), img -> withProps(img, List.of(storeId), List.of(storeId)));
                }
            }
            if (!plan.copy() && current(plan.imageId()).status() != ImageStatus.ACTIVE) {
                throw new ImportFailed("None of the uploads finished!");
            }
            save(plan.imageId(), img -> withoutLock(img, task.id()));
            staged.ifPresent(this::removeData);
            finish(task, TaskStatus.SUCCESS, "");
            LOG.info("task {}: image {} imported ({}) to {}", task.id(), plan.imageId(), plan.method(), plan.stores());
        } catch (Exception e) {
            String message = e instanceof ImportFailed ? e.getMessage() : "Error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("task {}: import of image {} ({}) failed: {}", task.id(), plan.imageId(), plan.method(), message,
                    e instanceof ImportFailed ? null : e);
            revert(plan, written);
            staged.ifPresent(this::removeData);
            finish(task, TaskStatus.FAILURE, message);
        }
    }

    private record Source(BlobStore store, String location, long size) {}

    /** glance-direct: the staged data this node journalled for the image. */
    private Optional<PendingData> stagedData(String imageId) {
        Optional<PendingData> entry = journal.ofNode(node).stream()
                .filter(p -> p.imageId().equals(imageId) && p.storeId().equals(StoreRegistry.STAGING)).findFirst();
        if (entry.isEmpty()) {
            throw new ImportFailed("Image " + imageId + " has no staged data on this node");
        }
        return entry;
    }

    /** web-download: the URI's data into staging (the filter checked again, with DNS, at each hop). */
    private PendingData download(Plan plan) throws IOException {
        WebSource.Body body;
        try {
            body = web.open(plan.uri().orElseThrow());
        } catch (UriFilter.Refused e) {
            throw new ImportFailed("URI for web-download does not pass filtering: " + e.getMessage());
        }
        try (InputStream in = body.stream()) {
            BlobWriter writer = staging.create(plan.imageId());
            PendingData pending = new PendingData(UUID.randomUUID().toString(), staging.id(), writer.location(), plan.imageId(), node);
            journal.add(pending);
            try {
                UploadResult r = pipeline.run(in, writer, hashAlgorithm, sizeCap, body.length());
                LOG.info("task {}: downloaded {} bytes for image {}", plan.task().id(), r.size(), plan.imageId());
            } catch (IOException | RuntimeException e) {
                journal.remove(pending.id());
                throw e;
            }
            return pending;
        }
    }

    /** One store: the data through the pipeline (size cap, checksum, hash), then the location on the image. */
    private ImageLocation importTo(Plan plan, String storeId, Source source, boolean setActive) throws IOException {
        BlobStore store = stores.find(storeId).orElseThrow(() -> new ImportFailed("Store " + storeId + " is not configured"));
        BlobWriter writer = store.create(plan.imageId());
        PendingData pending = new PendingData(UUID.randomUUID().toString(), store.id(), writer.location(), plan.imageId(), node);
        try {
            journal.add(pending);
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        }
        UploadResult result;
        try (InputStream in = BlobInput.open(source.store(), source.location(), source.size(), threads)) {
            result = pipeline.run(in, writer, hashAlgorithm, sizeCap, OptionalLong.of(source.size()));
        } catch (IOException | RuntimeException e) {
            journal.remove(pending.id());
            throw e;
        }
        ImageLocation location = new ImageLocation(store.id(), writer.location(), "active");
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Image> found = images.find(plan.imageId());
            if (found.isEmpty() || found.get().status() == ImageStatus.DELETED) {
                removeData(pending);
                throw new ImportFailed("Image has been deleted, aborting import.");
            }
            Image cur = found.get();
            List<ImageLocation> locations = new ArrayList<>(cur.locations());
            locations.add(location);
            Image.Builder next = withProps(cur, List.of(storeId), List.of()).toBuilder().locations(locations).updatedAt(now());
            if (!plan.copy()) {
                next.size(Optional.of(result.size())).checksum(Optional.of(result.md5()))
                        .osHashAlgo(Optional.of(result.hashAlgorithm())).osHashValue(Optional.of(result.hashValue()));
                if (setActive) {
                    next.status(ImageStatus.ACTIVE);
                }
            }
            if (images.activate(next.build(), cur.status(), pending.id())) {
                return location;
            }
        }
        removeData(pending);
        throw new ImportFailed("Image " + plan.imageId() + " kept changing during the import");
    }

    /**
     * A failed task (Glance's reverts): the stores it wrote are given up (their data journalled in the same
     * transaction), its stores still importing are marked failed, the image goes back to queued unless copy-image,
     * and the lock is dropped.
     */
    private void revert(Plan plan, List<ImageLocation> written) {
        revertImage(plan.imageId(), plan.task().id(), plan.copy(), cur -> written, multiStore ? plan.stores() : List.of());
    }

    /** Saves {@link #reverted} and journals the data given up in the same transaction, then removes it. */
    private void revertImage(String imageId, String taskId, boolean copy,
                             java.util.function.Function<Image, List<ImageLocation>> written, List<String> targets) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Image> found = images.find(imageId);
            if (found.isEmpty()) {
                return;
            }
            Image cur = found.get();
            List<ImageLocation> given = written.apply(cur);
            Image next = reverted(cur, taskId, copy, given, targets);
            List<PendingData> released = given.stream().map(l -> new PendingData(UUID.randomUUID().toString(),
                    l.storeId(), l.key(), cur.id(), node)).toList();
            if (images.detach(next, cur.status(), released)) {
                released.forEach(this::removeData);
                return;
            }
        }
        LOG.warn("image {} kept changing; the failed import task {} could not revert it", imageId, taskId);
    }

    private Image reverted(Image cur, String taskId, boolean copy, List<ImageLocation> written, List<String> targets) {
        List<String> importing = split(cur.properties().get(IMPORTING)).stream()
                .filter(s -> targets.contains(s) || targets.contains("*")).toList();
        // what was still to do is marked failed (Glance marks the store that raised; the ones after it never ran)
        Image next = withoutLock(withProps(cur, importing, importing), taskId);
        List<ImageLocation> kept = cur.locations().stream().filter(l -> !written.contains(l)).toList();
        Image.Builder b = next.toBuilder().locations(kept).updatedAt(now());
        if (!copy && (cur.status() == ImageStatus.IMPORTING || cur.status() == ImageStatus.UPLOADING)) {
            Map<String, String> props = new HashMap<>(next.properties());
            props.remove(STAGE_HOST);
            b.status(ImageStatus.QUEUED).properties(props).size(Optional.empty()).checksum(Optional.empty())
                    .osHashAlgo(Optional.empty()).osHashValue(Optional.empty()).virtualSize(Optional.empty());
        }
        return b.build();
    }

    // ---- queries -----------------------------------------------------------------------------------------------

    /** {@code GET /v2/images/{id}/tasks} (2.12): 404 unless the caller may see the image. */
    public List<Task> tasksOfImage(RequestContext ctx, String imageId) {
        Image image = access.visible(ctx, imageId);
        // glance/db/sqlalchemy/api.py _is_task_visible: admins see all, others the tasks of their project
        return tasks.ofImage(image.id(), clock.instant()).stream()
                .filter(t -> ctx.isAdmin() || t.owner().isEmpty() || t.owner().get().equals(ctx.projectId())).toList();
    }

    /** {@code GET /v2/tasks/{id}}: {@code tasks_api_access} (admin by default); 404 for an unknown id. */
    public Task task(RequestContext ctx, String id) {
        if (!access.allows("tasks_api_access", ctx, Map.of("project_id", ctx.projectId() == null ? "" : ctx.projectId()))) {
            throw GlintException.forbidden("You are not authorized to complete tasks_api_access action.");
        }
        return tasks.find(id).filter(t -> t.expiresAt().map(e -> !e.isBefore(clock.instant())).orElse(true))
                .orElseThrow(() -> GlintException.notFound("Task with the given ID " + id + " was not found"));
    }

    // ---- recovery ----------------------------------------------------------------------------------------------

    /**
     * At start, before ImageDataService.recover(): this node's tasks left pending or processing fail ("Glint
     * restarted"), their images are reverted as a failed task would (importing → queued, stores not finished
     * marked failed, lock dropped); images whose staged data is journalled here go from uploading back to queued,
     * since that data is about to be removed. Stores a task finished before the restart keep their data.
     */
    public void recover() {
        for (TaskStatus s : List.of(TaskStatus.PENDING, TaskStatus.PROCESSING)) {
            for (Task t : tasks.ofNode(node, s)) {
                LOG.warn("task {} (image {}) was in flight at the last stop; failing it", t.id(), t.imageId().orElse("-"));
                boolean copy = Optional.ofNullable(t.input().get("import_req")).filter(Map.class::isInstance)
                        .map(r -> ((Map<?, ?>) r).get("method")).filter(Map.class::isInstance)
                        .map(m -> ImportRequest.COPY_IMAGE.equals(((Map<?, ?>) m).get("name"))).orElse(false);
                // an image still importing had no data before the task: whatever the task wrote is given up
                boolean holdsLock = t.imageId().flatMap(images::find)
                        .map(i -> t.id().equals(i.properties().getOrDefault(LOCK, t.id()))).orElse(false);
                t.imageId().filter(id -> holdsLock).ifPresent(id -> revertImage(id, t.id(), copy,
                        img -> !copy && img.status() == ImageStatus.IMPORTING ? img.locations() : List.of(),
                        List.of(multiStore ? "*" : "")));
                finish(t, TaskStatus.FAILURE, "Glint restarted while the task was running");
            }
        }
        for (PendingData p : journal.ofNode(node)) {
            if (p.storeId().equals(StoreRegistry.STAGING)) {
                saveQuietly(p.imageId(), ImageStatus.UPLOADING, this::unstaged);
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private Image unstaged(Image i) {
        Map<String, String> props = new HashMap<>(i.properties());
        props.remove(STAGE_HOST);
        return i.toBuilder().status(ImageStatus.QUEUED).size(Optional.empty()).properties(props).build();
    }

    private Image current(String id) {
        return images.find(id).orElseThrow(() -> new ImportFailed("Image has been deleted, aborting import."));
    }

    /** Changes the image if it is still there (with {@code expected} status, or any when null), retrying races. */
    private Optional<Image> saveQuietly(String id, ImageStatus expected, UnaryOperator<Image> change) {
        return ImageRewrite.apply(images, id, expected, i -> change.apply(i).toBuilder().updatedAt(now()).build(),
                (current, next) -> images.update(next, current.status()), 5);
    }

    private void save(String id, UnaryOperator<Image> change) {
        if (saveQuietly(id, null, change).isEmpty()) {
            throw new ImportFailed("Image has been deleted, aborting import.");
        }
    }

    private Image withProps(Image image, List<String> doneImporting, List<String> failed) {
        Map<String, String> props = new HashMap<>(image.properties());
        List<String> done = multiStore ? doneImporting : List.of();
        props.put(IMPORTING, merge(props.get(IMPORTING), List.of(), done));
        props.put(FAILED, merge(props.get(FAILED), multiStore ? failed : List.of(), List.of()));
        return image.toBuilder().properties(props).build();
    }

    private static Image withoutLock(Image image, String taskId) {
        if (!taskId.equals(image.properties().get(LOCK))) {
            return image;
        }
        Map<String, String> props = new HashMap<>(image.properties());
        props.remove(LOCK);
        return image.toBuilder().properties(props).build();
    }

    /** Glance's {@code merge_store_list}: a sorted, comma-separated set. */
    static String merge(String existing, List<String> add, List<String> remove) {
        TreeSet<String> set = new TreeSet<>(split(existing));
        set.addAll(add);
        remove.forEach(set::remove);
        return String.join(",", set);
    }

    private static List<String> split(String list) {
        return list == null ? List.of() : Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void finish(Task task, TaskStatus status, String message) {
        Instant now = now();
        Optional<Map<String, Object>> result = status == TaskStatus.SUCCESS
                ? Optional.of(Map.of("image_id", task.imageId().orElse(""))) : Optional.empty();
        Task done = task.withStatus(status, message, result, Optional.of(now.plus(config.taskTimeToLive())), now);
        if (!tasks.update(done, task.status())) {
            LOG.debug("task {} changed status meanwhile", task.id());
        }
    }

    private void removeData(PendingData entry) {
        removal.remove(entry);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Stops taking tasks and interrupts the running ones, which fail and revert their images; waits a little for
     * that. A task that could not finish reverting is still pending or processing and is recovered at next start.
     */
    @Override
    public void close() {
        runner.shutdownNow();
        try {
            if (!runner.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("import tasks still running at shutdown; they are recovered at the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
