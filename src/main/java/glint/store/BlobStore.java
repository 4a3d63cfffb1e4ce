package glint.store;

import java.io.IOException;

/**
 * The storage seam: a place that keeps opaque blobs under locations it chooses. Every backend passes
 * {@code BlobStoreConformanceTest}. Locations are URLs in Glance's style ({@code file:///…}, {@code s3://…}).
 */
public interface BlobStore {
    /** The store's id, as in Glance's {@code enabled_backends} ({@code file} for the single default store). */
    String id();

    String type();

    /** Starts a new blob; {@code name} is a hint (the image id), the location is unique per call. */
    BlobWriter create(String name) throws IOException;

    /** Streams {@code length} bytes from {@code offset} into {@code sink}, in order, with constant memory. */
    void read(String location, long offset, long length, ByteSink sink) throws IOException;

    /** The size of a committed blob; {@link java.nio.file.NoSuchFileException} if there is none. */
    long size(String location) throws IOException;

    /** Removes a blob; absent blobs are fine. */
    void delete(String location) throws IOException;

    /** Start-up housekeeping: removes leftovers of writes that never committed or aborted (a crash). */
    void cleanup() throws IOException;
}
