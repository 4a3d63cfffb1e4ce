package glint.store;

import java.io.IOException;

/**
 * The storage seam: one place that keeps opaque, immutable blobs (image data) under locations it chooses. Backends
 * (file now; S3, Swift, Ceph RBD later) implement this and pass {@code BlobStoreConformanceTest}, in the manner of
 * distribution/distribution's {@code StorageDriver} and its test suite.
 *
 * <p>Locations are strings kept in the database, in glance_store's URL form, e.g. {@code file:///var/lib/glint/images/<image-id>}.
 * A store only serves locations it issued (a location outside its reach is "not found", never read).
 *
 * <p>Implementations are thread-safe; each {@link BlobWriter} is used by one thread at a time.
 */
public interface BlobStore extends AutoCloseable {
    /** The store's id, as in Glance's {@code enabled_backends = id:type} ({@code file} for the single default store). */
    String id();

    /** The backend type as configured: {@code file}, later {@code s3}, {@code swift}, {@code rbd}. */
    String type();

    /**
     * Starts a new blob for an image. Its {@link BlobWriter#location() location} is known at once, so a caller can
     * journal it before the first byte. Nothing is visible under that location until {@link BlobWriter#commit()}.
     *
     * @throws IllegalArgumentException if {@code imageId} is not a plain name (letters, digits, {@code - _ .})
     * @throws java.nio.file.FileAlreadyExistsException if a committed blob of that image already exists
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

    /** Removes a committed blob, durably. Idempotent: an absent blob is fine. */
    void delete(String location) throws IOException;

    /**
     * Start-up housekeeping: removes the leftovers of writers that neither committed nor aborted (a crash or a kill).
     * Committed blobs are never touched. Call before serving, while no writer of this store is open.
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

    /** Releases the store's threads and connections; blobs stay. No other call may follow. */
    @Override
    default void close() {}
}
