package glint.image;

import glint.quota.CountLimit;
import java.util.List;
import java.util.Optional;

/** Persistence of image records (implemented in {@code glint.db}); the service owns the rules. */
public interface ImageRepository {
    /** Inserts a new image; false when the id is already taken (also by a deleted image, as in Glance). */
    boolean insert(Image image);

    /**
     * {@link #insert(Image)} counted against {@code limit} ({@code image_count_total}) in the same transaction, under
     * the project's lock: nothing is written when the count is at the limit. Empty when the id is taken.
     */
    Optional<CountLimit.Outcome> insert(Image image, CountLimit limit);

    /**
     * {@link #update(Image, ImageStatus)} counted against {@code limit} ({@code image_count_uploading}) in the same
     * transaction, under the project's lock: nothing is written when the count is at the limit. Empty when the image
     * changed meanwhile.
     */
    Optional<CountLimit.Outcome> update(Image image, ImageStatus expected, CountLimit limit);

    /** A live (not deleted) image. */
    Optional<Image> find(String id);

    /**
     * Replaces every mutable column, the tags and the properties of a live image, if its status is still
     * {@code expected} and it is still at {@code image.version()}, the version it was read at (status changes:
     * upload, activation): a write computed from an older read would undo another's change, so the caller reads
     * again and retries. Adds one to the stored version.
     */
    boolean update(Image image, ImageStatus expected);

    /**
     * Replaces every mutable column, the tags and the properties of a live image if it is still at
     * {@code image.version()}, the version it was read at (metadata writes: PATCH, tags, deactivate/reactivate);
     * false when another write came first. Adds one to the stored version.
     */
    boolean updateMetadata(Image image);

    /**
     * {@link #updateMetadata(Image)}, journalling {@code released} (data the image gave up with a location) in the
     * same transaction, so it is removed even after a crash.
     */
    boolean updateMetadata(Image image, List<PendingData> released);

    /**
     * Whether Glint keeps data at {@code location} for some image: an owned location of a live image, or data being
     * written or removed (the journal). A client may not add a location naming such data to another image.
     */
    boolean holdsData(String location);

    /**
     * Saves an image that now has data, if its status is still {@code expected} and its version {@code
     * image.version()}, and drops the journal entry
     * {@code pendingId} in the same transaction: after this the data belongs to the image.
     */
    boolean activate(Image image, ImageStatus expected, String pendingId);

    /**
     * Saves an image that starts receiving data ({@code queued} → {@code saving}), if its status is still
     * {@code expected} and its version {@code image.version()}, and journals {@code pending} (the blob about to be
     * written) in the same transaction: a crash at any moment leaves either the image as it was, or a journalled
     * write that recovery undoes — never an image in {@code saving} that nothing will put back.
     */
    boolean startWriting(Image image, ImageStatus expected, PendingData pending);

    /**
     * {@link #startWriting(Image, ImageStatus, PendingData)} counted against {@code limit}
     * ({@code image_count_uploading}) in the same transaction, under the project's lock: nothing is written when the
     * count is at the limit. Empty when the image changed meanwhile.
     */
    Optional<CountLimit.Outcome> startWriting(Image image, ImageStatus expected, PendingData pending, CountLimit limit);

    /**
     * Saves an image that gave up some of its data (a reverted import), if its status is still {@code expected}
     * and its version {@code image.version()}, and journals {@code released} (that data) in the same transaction, so it is removed even after a crash.
     */
    boolean detach(Image image, ImageStatus expected, List<PendingData> released);

    /**
     * Marks the image deleted (the id stays taken), removing tags, properties, members and locations; in the same
     * transaction each owned location (data Glint wrote for it) becomes a journal entry of {@code node}, so that its data is removed even if the
     * process dies before it gets to it. Returns those entries.
     */
    List<PendingData> markDeleted(String id, String node);

    /**
     * {@code delayed_delete}: marks a live image {@code pending_delete} (deleted, with {@code deleted_at} now) and its
     * locations {@code pending_delete}, keeping them, its data and its metadata for the scrubber (or a restore).
     * False when the image is no longer live.
     */
    boolean markPendingDelete(String id);

    /** Up to {@code limit} ids of {@code pending_delete} images deleted at or before {@code deletedBefore}, oldest first. */
    List<String> pendingDeletes(java.time.Instant deletedBefore, int limit);

    /**
     * The scrubber's claim: {@code pending_delete} → {@code deleted} (compare-and-set: of several nodes, one wins),
     * removing tags, properties, members and locations and journalling each owned location for {@code node} in the
     * same transaction, as {@link #markDeleted}. Empty when the image was no longer pending delete (another node
     * claimed it, or it was restored).
     */
    Optional<List<PendingData>> claimPendingDelete(String id, String node);

    /** {@code glance-scrubber --restore}: a {@code pending_delete} image back to {@code active}; false if it was not. */
    boolean restorePendingDelete(String id);

    /** One page of images visible to {@code viewer} matching {@code query}, after {@code marker} when given. */
    List<Image> list(ImageQuery query, Viewer viewer, Optional<Image> marker);

    /** The member status of {@code project} on an image, if it is a member. */
    Optional<MemberStatus> memberStatus(String imageId, String project);

    /** Who is listing: their project, and whether they see every image regardless of ownership (admin). */
    record Viewer(Optional<String> projectId, boolean seesAll) {}
}
