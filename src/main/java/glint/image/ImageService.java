package glint.image;

import glint.auth.RequestContext;
import glint.config.GlintConfig.ImagesConfig;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.policy.PropertyProtections;
import glint.policy.PropertyProtections.Operation;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import glint.quota.CountLimit;
import glint.quota.QuotaResource;
import glint.quota.Quotas;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The image use cases, one straight-line method each: authorize → validate → change → persist.
 * Glance's rules are cited where they are not obvious; data upload and download live in {@link ImageDataService}.
 */
public final class ImageService {
    /** Attributes that exist on every image; PATCH remove on them is refused (Glance: "may not be removed"). */
    static final Set<String> BASE_ATTRIBUTES = Set.of("name", "visibility", "protected", "os_hidden", "owner",
            "disk_format", "container_format", "min_disk", "min_ram", "tags", "checksum", "os_hash_algo",
            "os_hash_value", "size", "virtual_size", "status", "id", "created_at", "updated_at", "locations");

    /** Attempts of a metadata write that loses the race to a concurrent one (optimistic version check) before 409. */
    static final int WRITE_ATTEMPTS = 10;

    private final ImageRepository images;
    private final ImageAccess access;
    private final PropertyProtections protections;
    private final ImagesConfig limits;
    private final Clock clock;
    private final ImageEvents events;
    private final LocationPatch locations;
    private final ReleasedData released;
    private final boolean delayedDelete;
    private volatile Quotas quotas = Quotas.NONE;

    public ImageService(ImageRepository images, ImageAccess access, ImagesConfig limits, Clock clock) {
        this(images, access, PropertyProtections.none(), limits, clock, ImageEvents.NONE);
    }

    /** @param events told of every image created, changed or deleted, once it is stored */
    public ImageService(ImageRepository images, ImageAccess access, PropertyProtections protections, ImagesConfig limits,
                        Clock clock, ImageEvents events) {
        this(images, access, protections, limits, clock, events, LocationPatch.invisible(access), ReleasedData.NONE);
    }

    /**
     * @param events    told of every image created, changed or deleted, once it is stored
     * @param locations the PATCH operations on {@code /locations}
     * @param released  removes the data of locations an image gave up, once the image is saved
     */
    public ImageService(ImageRepository images, ImageAccess access, PropertyProtections protections, ImagesConfig limits,
                        Clock clock, ImageEvents events, LocationPatch locations, ReleasedData released) {
        this(images, access, protections, limits, clock, events, locations, released, false);
    }

    /** @param delayedDelete Glance's {@code delayed_delete}: deleted active images wait in {@code pending_delete} */
    public ImageService(ImageRepository images, ImageAccess access, PropertyProtections protections, ImagesConfig limits,
                        Clock clock, ImageEvents events, LocationPatch locations, ReleasedData released,
                        boolean delayedDelete) {
        this.delayedDelete = delayedDelete;
        this.images = images;
        this.access = access;
        this.protections = protections;
        this.limits = limits;
        this.clock = clock;
        this.events = events;
        this.locations = locations;
        this.released = released;
    }

    /** Checks Glance's quotas ({@code image_count_total} on create); call once, at wiring time. */
    public void useQuotas(Quotas quotas) {
        this.quotas = quotas;
    }

    /** The notifications this service sends; {@link ImageDataService} and the imports tell theirs through it too. */
    public ImageEvents events() {
        return events;
    }

    public Image create(RequestContext ctx, NewImage request) {
        String owner = request.owner().orElse(ctx.projectId());
        Visibility visibility = request.visibility().orElse(Visibility.SHARED);
        Map<String, String> target = new HashMap<>();
        if (owner != null) {
            target.put("project_id", owner);
            target.put("owner", owner);
        }
        target.put("visibility", visibility.wire());
        if (!access.allows("add_image", ctx, target)) {
            if (owner != null && !owner.equals(ctx.projectId())) {
                throw GlintException.forbidden("You are not permitted to create images owned by '" + owner + "'");
            }
            throw GlintException.forbidden("You are not authorized to complete add_image action.");
        }
        access.enforceVisibilityChange(ctx, visibility, target);
        // Glance's ProtectedImageFactoryProxy.new_image: every extra property needs 'create'
        request.properties().keySet().forEach(key -> requireProtection(ctx, key, Operation.CREATE));
        checkNotNegative("min_disk", request.minDisk().orElse(0));
        checkNotNegative("min_ram", request.minRam().orElse(0));
        Set<String> tags = new LinkedHashSet<>(request.tags());
        checkQuotas(request.properties().size(), tags.size());

        Instant now = now();
        Image image = new Image(request.id().map(s -> s.toLowerCase(java.util.Locale.ROOT)).orElseGet(() -> UUID.randomUUID().toString()),
                request.name(), ImageStatus.QUEUED, visibility,
                request.isProtected().orElse(false), request.osHidden().orElse(false), Optional.ofNullable(owner),
                request.diskFormat(), request.containerFormat(), request.minDisk().orElse(0), request.minRam().orElse(0),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now,
                tags, request.properties(), List.of());
        // Glance's enforce_image_count_total, of the caller's project; here in the insert's transaction
        Optional<CountLimit> count = quotas.countLimit(ctx.projectId(), QuotaResource.IMAGE_COUNT_TOTAL);
        boolean inserted;
        if (count.isPresent()) {
            Optional<CountLimit.Outcome> outcome = images.insert(image, count.get());
            if (outcome.isPresent() && !outcome.get().within()) {
                throw quotas.countExceeded(count.get(), outcome.get().before());
            }
            inserted = outcome.isPresent();
        } else {
            inserted = images.insert(image);
        }
        if (!inserted) {
            throw GlintException.conflict("Image with identifier " + image.id() + " already exists!");
        }
        events.created(image);
        return readable(ctx, image);
    }

    public Image get(RequestContext ctx, String id) {
        return readable(ctx, access.visible(ctx, id));
    }

    /** The image as {@code ctx} may see it: without the extra properties it may not read (Glance's ExtraPropertiesProxy). */
    Image readable(RequestContext ctx, Image image) {
        if (!protections.enabled()) {
            return image;
        }
        Map<String, String> props = new HashMap<>();
        image.properties().forEach((k, v) -> {
            if (protections.allows(k, Operation.READ, ctx)) {
                props.put(k, v);
            }
        });
        return props.size() == image.properties().size() ? image : image.toBuilder().properties(props).build();
    }

    /** Glance's ReservedProperty (403) when property protections refuse {@code op} on {@code key}. */
    private void requireProtection(RequestContext ctx, String key, Operation op) {
        if (!protections.allows(key, op, ctx)) {
            throw GlintException.forbidden("Attribute '" + key + "' is reserved.");
        }
    }

    public ImagePage list(RequestContext ctx, ImageQuery query) {
        Map<String, String> target = new HashMap<>();
        if (ctx.projectId() != null) {
            target.put("project_id", ctx.projectId());
        }
        if (!access.allows("get_images", ctx, target)) {
            throw GlintException.forbidden("You are not authorized to complete get_images action.");
        }
        Optional<Image> marker = query.marker().map(id -> {
            try {
                return access.visible(ctx, id);
            } catch (GlintException e) {
                // Glance answers an unknown marker with 400 carrying the not-found message.
                throw GlintException.badRequest(e.getMessage());
            }
        });
        ImageRepository.Viewer viewer = new ImageRepository.Viewer(Optional.ofNullable(ctx.projectId()), ctx.isAdmin());
        List<Image> page = images.list(query, viewer, marker);
        List<Image> allowed = page.stream().filter(i -> access.allows("get_image", ctx, i)).map(i -> readable(ctx, i)).toList();
        // Like Glance, the next marker depends on whether the database filled the page, not on what policy kept.
        Optional<String> next = !allowed.isEmpty() && page.size() == query.limit()
                ? Optional.of(allowed.get(allowed.size() - 1).id()) : Optional.empty();
        return new ImagePage(allowed, next);
    }

    public Image update(RequestContext ctx, String id, List<ImageChange> changes) {
        return updateWith(ctx, id, current -> changes);
    }

    /**
     * Applies the changes computed from the image as read in each attempt (so a tag added to a fresh read is not
     * computed from a stale one), and saves them if nobody wrote the image since that read (its version), retrying
     * a bounded number of times otherwise. Properties the caller may not read are neither seen nor lost: the
     * changes apply to the readable view, and the hidden properties are kept as they are (Glance's proxy would drop
     * them on save).
     */
    private Image updateWith(RequestContext ctx, String id, Function<Image, List<ImageChange>> changesFor) {
        for (int attempt = 1; ; attempt++) {
            Image current = access.visible(ctx, id);
            Image view = readable(ctx, current);
            List<ImageChange> changes = changesFor.apply(view);
            if (changes.isEmpty()) {
                return view;
            }
            List<ImageLocation> givenUp = new ArrayList<>();
            Image changed = applyChanges(ctx, view, changes, givenUp);
            Map<String, String> props = new HashMap<>(current.properties());
            props.keySet().removeAll(view.properties().keySet());
            props.putAll(changed.properties());
            checkQuotas(props.size(), changed.tags().size());
            Image saved = changed.toBuilder().properties(props).updatedAt(now()).build();
            List<PendingData> entries = released.entries(id, givenUp);
            if (images.updateMetadata(saved, entries)) {
                released.remove(entries);
                events.updated(saved);
                return readable(ctx, saved);
            }
            if (attempt >= WRITE_ATTEMPTS) {
                throw GlintException.conflict("Image " + id + " was changed by another request; try again.");
            }
        }
    }

    /**
     * Applies the operations in order. The extra properties are one map changed in place, and the image is rebuilt
     * only after an operation on a base attribute, so a document of thousands of operations costs time linear in its
     * length, not quadratic (an image copies its properties when built).
     */
    private Image applyChanges(RequestContext ctx, Image image, List<ImageChange> changes, List<ImageLocation> givenUp) {
        Map<String, String> props = new HashMap<>(image.properties());
        Image.Builder b = image.toBuilder();
        Image view = image; // base attributes as changed so far; the properties are props
        boolean recheck = true;
        for (ImageChange change : changes) {
            String attr = change.attribute();
            if (attr.equals("locations")) {
                view = locations.apply(ctx, b.properties(props).build(), change, givenUp);
                b = view.toBuilder();
                props = new HashMap<>(view.properties());
                recheck = true;
                continue;
            }
            if (change.op() == ImageChange.Op.REPLACE && attr.equals("owner") && !ctx.isAdmin()) {
                throw GlintException.forbidden("Owner can't be updated by non admin.");
            }
            if (attr.equals("visibility") && change.op() != ImageChange.Op.REMOVE) {
                Visibility v = Visibility.parse((String) change.value()).orElseThrow(() -> GlintException.badRequest(
                        "Visibility must be one of \"community\", \"public\", \"private\", or \"shared\""));
                view = b.properties(props).build();
                access.enforceVisibilityChange(ctx, v, ImageAccess.target(view, ctx, Optional.empty()).values());
            }
            boolean base = BASE_ATTRIBUTES.contains(attr);
            if (recheck || base) {
                // before the first operation and each one on a base attribute, on the image as it is then (a rule that
                // reads extra properties sees them as of that check, not re-read after each property operation)
                access.enforce("modify_image", ctx, b.properties(props).build());
                recheck = false;
            }
            // Glance's ExtraPropertiesProxy: a property the caller may not read does not exist for it
            boolean exists = props.containsKey(attr);
            boolean readable = exists && protections.allows(attr, Operation.READ, ctx);
            switch (change.op()) {
                case REMOVE -> {
                    if (base) {
                        throw GlintException.forbidden("Property " + attr + " may not be removed.");
                    }
                    if (!exists) {
                        throw GlintException.conflict("Property " + attr + " does not exist.");
                    }
                    requireProtection(ctx, attr, Operation.DELETE);
                    props.remove(attr);
                }
                case REPLACE -> {
                    if (!base && !exists) {
                        throw GlintException.conflict("Property " + attr + " does not exist.");
                    }
                    if (!base) {
                        requireProtection(ctx, attr, readable ? Operation.UPDATE : Operation.CREATE);
                    }
                    set(b, view, props, attr, change.value());
                }
                case ADD -> {
                    if (change.draft4() && (base || exists)) {
                        throw GlintException.conflict("Property " + attr + " already present.");
                    }
                    if (!base) {
                        requireProtection(ctx, attr, readable ? Operation.UPDATE : Operation.CREATE);
                    }
                    set(b, view, props, attr, change.value());
                }
            }
            if (base) {
                view = b.properties(props).build();
                recheck = true;
            }
        }
        return b.properties(props).build();
    }

    @SuppressWarnings("unchecked")
    private static void set(Image.Builder b, Image image, Map<String, String> props, String attr, Object value) {
        switch (attr) {
            case "name" -> b.name(Optional.ofNullable((String) value));
            case "visibility" -> b.visibility(Visibility.parse((String) value).orElseThrow());
            case "protected" -> b.isProtected((Boolean) value);
            case "os_hidden" -> b.osHidden((Boolean) value);
            case "owner" -> b.owner(Optional.ofNullable((String) value));
            case "disk_format" -> {
                requireQueued(image, attr);
                b.diskFormat(Optional.ofNullable((String) value));
            }
            case "container_format" -> {
                requireQueued(image, attr);
                b.containerFormat(Optional.ofNullable((String) value));
            }
            case "min_disk" -> b.minDisk(checkNotNegative(attr, (Integer) value));
            case "min_ram" -> b.minRam(checkNotNegative(attr, (Integer) value));
            case "tags" -> b.tags(new LinkedHashSet<>((List<String>) value));
            default -> {
                if (BASE_ATTRIBUTES.contains(attr)) {
                    throw GlintException.forbidden("Attribute '" + attr + "' is read-only.");
                }
                props.put(attr, (String) value);
            }
        }
    }

    /** Glance allows format changes only while the image has no data (queued) or is importing. */
    private static void requireQueued(Image image, String attr) {
        if (image.status() != ImageStatus.QUEUED && image.status() != ImageStatus.IMPORTING) {
            throw GlintException.forbidden("Attribute " + attr + " can be only replaced for a queued image.");
        }
    }

    public Image addTag(RequestContext ctx, String id, String tag) {
        return updateWith(ctx, id, current -> {
            List<String> tags = new ArrayList<>(current.tags());
            if (!tags.contains(tag)) {
                tags.add(tag);
            }
            return List.of(new ImageChange(ImageChange.Op.REPLACE, "tags", tags, false));
        });
    }

    public void removeTag(RequestContext ctx, String id, String tag) {
        updateWith(ctx, id, current -> {
            access.enforce("modify_image", ctx, current);
            if (!current.tags().contains(tag)) {
                throw GlintException.notFound("Tag " + tag + " not found");
            }
            List<String> tags = new ArrayList<>(current.tags());
            tags.remove(tag);
            return List.of(new ImageChange(ImageChange.Op.REPLACE, "tags", tags, false));
        });
    }

    /** Deactivate (active → deactivated, idempotent), Glance's ImageActionsController. */
    public void deactivate(RequestContext ctx, String id) {
        changeStatus(ctx, id, "deactivate", ImageStatus.ACTIVE, ImageStatus.DEACTIVATED);
    }

    public void reactivate(RequestContext ctx, String id) {
        changeStatus(ctx, id, "reactivate", ImageStatus.DEACTIVATED, ImageStatus.ACTIVE);
    }

    private void changeStatus(RequestContext ctx, String id, String rule, ImageStatus from, ImageStatus to) {
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            Image image = access.visible(ctx, id);
            access.enforce(rule, ctx, image);
            if (image.status() == to) {
                return;
            }
            if (image.status() != from) {
                throw GlintException.forbidden("Not allowed to " + rule + " image in status '" + image.status().wire() + "'");
            }
            Image changed = image.toBuilder().status(to).updatedAt(now()).build();
            if (images.updateMetadata(changed)) {
                events.updated(changed);
                return;
            }
        }
        throw GlintException.conflict("Image " + id + " was changed by another request; try again.");
    }

    /**
     * Marks the image deleted and journals its data for removal by {@code node}; returns the journal entries, so
     * that the caller can remove the data now (see {@link ImageDataService#delete}). With {@code delayed_delete}, an
     * active image with locations becomes {@code pending_delete} instead and keeps its data for the scrubber
     * ({@link Scrubber}); nothing is returned then. Glance's {@code Image.delete} (glance/domain/__init__.py) does
     * this for any image with locations, which its state machine refuses (400) for a deactivated one; Glint deletes
     * images in other statuses at once.
     */
    public List<PendingData> delete(RequestContext ctx, String id, String node) {
        Image image = access.visible(ctx, id);
        access.enforce("delete_image", ctx, image);
        if (image.isProtected()) {
            throw GlintException.forbidden("Image " + id + " is protected and cannot be deleted.");
        }
        if (!image.status().canBecome(ImageStatus.DELETED)) {
            throw GlintException.badRequest("Image status transition from " + image.status().wire()
                    + " to deleted is not allowed");
        }
        if (delayedDelete && image.status() == ImageStatus.ACTIVE && !image.locations().isEmpty()) {
            if (images.markPendingDelete(id)) {
                // Glance's image.delete carries the status the image was deleted with: pending_delete here
                events.deleted(image.toBuilder().status(ImageStatus.PENDING_DELETE).updatedAt(now()).build());
            }
            return List.of();
        }
        List<PendingData> orphans = images.markDeleted(id, node);
        events.deleted(image.toBuilder().status(ImageStatus.DELETED).updatedAt(now()).build());
        return orphans;
    }

    private void checkQuotas(int properties, int tags) {
        if (properties > limits.propertyQuota()) {
            throw new GlintException(ErrorKind.TOO_LARGE, "The limit has been exceeded on the number of allowed image "
                    + "properties. Attempted: " + properties + ", Maximum: " + limits.propertyQuota());
        }
        if (tags > limits.tagQuota()) {
            throw new GlintException(ErrorKind.TOO_LARGE, "The limit has been exceeded on the number of allowed image "
                    + "tags. Attempted: " + tags + ", Maximum: " + limits.tagQuota());
        }
    }

    private static int checkNotNegative(String param, int value) {
        if (value < 0) {
            throw GlintException.badRequest("Invalid value '" + value + "' for parameter '" + param
                    + "': Cannot be a negative value.");
        }
        return value;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
