package glint.store;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The storage seam: one place that keeps opaque, immutable blobs (image data) under locations it chooses. Backends
 * (file, S3, Swift, read-only http; Ceph RBD later) implement this and pass {@code BlobStoreConformanceTest}, in the manner of
 * distribution/distribution's {@code StorageDriver} and its test suite.
 *
 * <p>Locations are strings kept in the database, in glance_store's URL form, e.g. {@code file:///var/lib/glint/images/<image-id>},
 * {@code s3://s3.example.com/bucket/<image-id>}.
 * A store only serves locations it issued (a location outside its reach is "not found", never read).
 *
 * <p><b>Interrupted writes.</b> A writer whose process died (a crash, a kill) neither committed nor aborted, and may
 * leave data behind (a temporary file, an unfinished multipart upload). Such leftovers are removed in two ways:
 * <ul>
 *   <li>this node's, at once: the caller journals each location before the first byte (the data journal) and at
 *       start calls {@link #delete} on the locations its journal still names, which removes the interrupted write to
 *       that location with the blob;</li>
 *   <li>any node's, by age: {@link #cleanup()} removes leftovers whose write made no progress for the store's age
 *       bound ({@link #STALE_AFTER} by default), for a crash before the journal entry or a node that never returns.</li>
 * </ul>
 * Neither ever touches a committed blob of another location or a write still open in this process, and the age bound
 * keeps the live writes of other nodes sharing the backing storage safe (a live write progresses: the HTTP server
 * times an idle upload out long before).
 *
 * <p>Implementations are thread-safe; each {@link BlobWriter} is used by one thread at a time.
 */
public interface BlobStore extends AutoCloseable {
    /** The default age bound of {@link #cleanup()}: twelve times the HTTP server's idle timeout of five minutes. */
    Duration STALE_AFTER = Duration.ofHours(1);

    /** The store's id, as in Glance's {@code enabled_backends = id:type} ({@code file} for the single default store). */
    String id();

    /** The backend type as configured: {@code file}, {@code s3}, {@code swift}, {@code http}; later {@code rbd}. */
    String type();

    /**
     * Whether {@code location} is in this store's location form (glance_store's {@code url_prefix} match, which tells
     * Glance which store a location added through the API belongs to), whether or not a blob is there.
     */
    boolean serves(String location);

    /** A store that only reads (glance_store's {@code http} store): {@link #create} refuses, {@link #delete} leaves the data. */
    default boolean readOnly() {
        return false;
    }

    /** The store's {@code properties} in {@code GET /v2/info/stores/detail}, as Glance's discovery.py shows its type. */
    default Map<String, Object> properties() {
        return Map.of();
    }

    /**
     * Starts a new blob for an image. Its {@link BlobWriter#location() location} is known at once, so a caller can
     * journal it before the first byte. Nothing is visible under that location until {@link BlobWriter#commit()}.
     *
     * @throws IllegalArgumentException if {@code imageId} is not a {@linkplain BlobNames valid name}
     * @throws BlobExistsException if a committed blob of that image already exists: blobs are never overwritten
     * @throws StoreReadOnlyException if the store only reads
     */
    BlobWriter create(String imageId) throws IOException;

    /**
     * Streams bytes {@code [offset, offset + length)} of a committed blob into {@code sink}, in order, in buffers the
     * store chooses, with memory independent of {@code length}. Each buffer is valid only during the
     * {@link ByteSink#write} call that receives it. Nothing is sent if the blob is missing or shorter than asked.
     *
     * @throws BlobNotFoundException if there is no blob at {@code location}
     * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
     * @throws java.io.EOFException if the blob has fewer than {@code offset + length} bytes
     */
    void read(String location, long offset, long length, ByteSink sink) throws IOException;

    /** The size in bytes of a committed blob. @throws BlobNotFoundException if there is none */
    long size(String location) throws IOException;

    /**
     * Removes the blob at {@code location}, durably, and the leftovers of an interrupted write to it (one not open in
     * this process): so a node's journal names everything to remove after a crash. A read in progress either
     * completes with the blob's bytes or fails; it never delivers other bytes. Idempotent: an absent blob, or a
     * location this store did not issue, is fine.
     */
    void delete(String location) throws IOException;

    /**
     * Housekeeping, at start: removes the leftovers of interrupted writes that made no progress for the store's age
     * bound, whichever node wrote them. Never a committed blob, never a write open in this process.
     */
    void cleanup() throws IOException;

    /** What the start-up log says of the store: its type, and where it keeps blobs. */
    default String describe() {
        return type();
    }

    /**
     * A cheap look, for the healthcheck, at whether the store can be read and written now, touching no blob: empty
     * when it can, else what is wrong, in words for an operator. It must answer quickly (no data is moved).
     */
    default java.util.Optional<String> problem() {
        return java.util.Optional.empty();
    }

    /**
     * Releases the store's threads and connections once the work they have in flight has settled (an abandoned
     * writer's last parts); blobs stay. Idempotent; no other call may follow.
     */
    @Override
    default void close() {}
}
