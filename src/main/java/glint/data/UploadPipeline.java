package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.BlobWriter;
import glint.store.BufferPool;
import glint.store.StorageFullException;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * One pass over uploaded data, from the request body to a committed blob:
 * <pre>
 *   caller thread ──piece──┬──► writer stage   BlobWriter.write
 *   (sizes, limits,        ├──► md5 stage      MessageDigest MD5            (Glance's checksum)
 *    ContentCheck.feed)    └──► hash stage     MessageDigest os_hash_algo   (os_hash_value)
 * </pre>
 * The caller's thread only takes pieces from the {@link UploadSource} and counts; storing and the two digests run at
 * the same time on three worker threads over the same buffer, so the upload goes at the pace of the slowest of them
 * rather than their sum, and no byte is copied in user space: with {@code glint.http.RequestBodySource} the stages
 * read Jetty's request buffers directly. At most {@code piecesInFlight} pieces of one upload are in flight; when the
 * workers fall behind, the reader waits, which pushes back on the client through TCP. Nothing is ever buffered whole.
 *
 * <p>The {@link ContentCheck} (format inspection) looks at each piece on the caller's thread, which only counts
 * otherwise; it judges the data after the last byte is written and digested, before the commit.
 *
 * <p>Any failure (a limit, a size mismatch, a refused content, a client that goes away, a store error) stops the workers, aborts the
 * writer (nothing of the data is left) and is rethrown; only a fully read, hashed and {@linkplain BlobWriter#commit()
 * committed} blob yields a result.
 */
public final class UploadPipeline {
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    public static final int DEFAULT_BUFFERS_PER_UPLOAD = 4;
    /** Jetty's request buffers are 256 KiB (glint.http.HttpServer): up to 4 MiB of one upload in flight. */
    public static final int DEFAULT_PIECES_IN_FLIGHT = 16;

    private final Executor workers;
    private final BufferPool buffers;
    private final int buffersPerUpload;
    private final int piecesInFlight;

    /**
     * A pipeline that lets {@link #DEFAULT_PIECES_IN_FLIGHT} pieces of an upload be in flight and reads streams into
     * 1 MiB buffers, up to four per upload, from a pool of at most an eighth of the heap ({@link BufferPool#forHeap}).
     *
     * @param workers runs the three stages of each upload; it must start tasks at once rather than queue them
     *     behind other uploads (an unbounded cached thread pool)
     */
    public UploadPipeline(Executor workers) {
        this(workers, BufferPool.forHeap(DEFAULT_BUFFER_SIZE), DEFAULT_BUFFERS_PER_UPLOAD);
    }

    public UploadPipeline(Executor workers, BufferPool buffers, int buffersPerUpload) {
        if (buffersPerUpload < 1) {
            throw new IllegalArgumentException("buffersPerUpload must be positive: " + buffersPerUpload);
        }
        this.workers = workers;
        this.buffers = buffers;
        this.buffersPerUpload = buffersPerUpload;
        this.piecesInFlight = Math.max(DEFAULT_PIECES_IN_FLIGHT, buffersPerUpload);
    }

    /** Shorthand for {@link #run(InputStream, BlobWriter, HashAlgorithm, UploadLimits, ContentCheck)} without a quota. */
    public UploadResult run(InputStream in, BlobWriter writer, HashAlgorithm algorithm, long sizeCap, OptionalLong expectedSize,
                            ContentCheck check) throws IOException {
        return run(in, writer, algorithm, UploadLimits.of(sizeCap).withExpectedSize(expectedSize), check);
    }

    /** {@link #run(UploadSource, BlobWriter, HashAlgorithm, UploadLimits, ContentCheck)} over a stream read into pooled buffers. */
    public UploadResult run(InputStream in, BlobWriter writer, HashAlgorithm algorithm, UploadLimits limits, ContentCheck check)
            throws IOException {
        try (StreamSource source = new StreamSource(in, buffers, buffersPerUpload)) {
            return run(source, writer, algorithm, limits, check);
        }
    }

    /**
     * Streams {@code source} to its end into {@code writer} and commits it. When this returns or throws, every piece
     * taken from the source has been released.
     *
     * @return size, MD5, {@code algorithm} digest, virtual size and location of the committed blob
     * @throws GlintException TOO_LARGE past the size cap or the remaining quota, or when the store is full;
     *     BAD_REQUEST when the data is not of the expected size; what {@code check} throws when it refuses the data.
     *     The rest of the body is not read.
     * @throws IOException when the body cannot be read (client gone) or the store fails
     */
    public UploadResult run(UploadSource source, BlobWriter writer, HashAlgorithm algorithm, UploadLimits limits,
                            ContentCheck check) throws IOException {
        UploadStages stages;
        try {
            stages = new UploadStages(writer, algorithm, piecesInFlight);
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
        boolean committed = false;
        try {
            checkAnnouncedSize(limits);
            stages.start(workers);
            long size = 0;
            while (true) {
                stages.throwIfFailed();
                stages.reserve();
                UploadSource.Piece piece;
                try {
                    piece = source.next();
                    if (piece != null) {
                        checkSize(size + piece.length(), limits, piece);
                        feed(check, piece);
                    }
                } catch (IOException | RuntimeException e) {
                    stages.unreserve();
                    throw e;
                }
                if (piece == null) {
                    stages.unreserve();
                    break;
                }
                size += piece.length();
                stages.dispatch(piece);
            }
            if (limits.expectedSize().isPresent() && size != limits.expectedSize().getAsLong()) {
                throw sizeMismatch(size, limits.expectedSize().getAsLong());
            }
            stages.finish();
            OptionalLong virtualSize = check.finish();
            String location = writer.commit();
            committed = true;
            return new UploadResult(size, stages.md5Hex(), algorithm.name(), stages.hashHex(), location, virtualSize);
        } catch (StorageFullException e) {
            // Glance: glance_store StorageFull, rendered by image_data.py upload()
            throw new GlintException(ErrorKind.TOO_LARGE, "Image storage media is full: " + e.getMessage(), Map.of(), e);
        } catch (StoreUnavailableException e) {
            throw GlintException.unavailable(e); // the store's service is down: 503, as the database's
        } finally {
            if (!committed) {
                stages.cancel();
                writer.abort();
            }
        }
    }

    /** The piece to the content check before the stages may release it; released here if the check fails. */
    private static void feed(ContentCheck check, UploadSource.Piece piece) {
        try {
            check.feed(piece.data().asReadOnlyBuffer());
        } catch (RuntimeException e) {
            piece.release();
            throw e;
        }
    }

    /** {@link #checkSize(long, UploadLimits)}, releasing the piece that crossed a limit. */
    private static void checkSize(long size, UploadLimits limits, UploadSource.Piece piece) {
        try {
            checkSize(size, limits);
        } catch (RuntimeException e) {
            piece.release();
            throw e;
        }
    }

    /** Glance refuses an announced size over the limits before reading anything (glance/api/common.py check_quota). */
    private static void checkAnnouncedSize(UploadLimits limits) {
        if (limits.expectedSize().isPresent()) {
            limits.allowance().announce(limits.expectedSize().getAsLong());
        } else {
            limits.allowance().require(0);
        }
        if (limits.quotaRemaining().isPresent()) {
            long remaining = limits.quotaRemaining().getAsLong();
            if (limits.expectedSize().orElse(0) > remaining || (limits.expectedSize().isEmpty() && remaining <= 0)) {
                throw quotaExceeded(limits.expectedSize().orElse(0), remaining);
            }
        }
        if (limits.expectedSize().isPresent() && limits.expectedSize().getAsLong() > limits.sizeCap()) {
            throw tooLarge();
        }
    }

    /** Glance wraps the body in the quota's LimitingReader, then in image_size_cap's: the quota is noticed first. */
    private static void checkSize(long size, UploadLimits limits) {
        if (limits.quotaRemaining().isPresent() && size > limits.quotaRemaining().getAsLong()) {
            throw quotaExceeded(size, limits.quotaRemaining().getAsLong());
        }
        if (size <= limits.sizeCap() && (limits.expectedSize().isEmpty() || size <= limits.expectedSize().getAsLong())) {
            limits.allowance().require(size);
        }
        if (size > limits.sizeCap()) {
            throw tooLarge();
        }
        if (limits.expectedSize().isPresent() && size > limits.expectedSize().getAsLong()) {
            throw sizeMismatch(size, limits.expectedSize().getAsLong());
        }
    }

    // Glance: ImageSizeLimitExceeded, rendered by image_data.py upload()
    private static GlintException tooLarge() {
        return new GlintException(ErrorKind.TOO_LARGE, "The incoming image is too large: The provided image is too large.");
    }

    // Glance: StorageQuotaFull, rendered by image_data.py upload()
    private static GlintException quotaExceeded(long size, long remaining) {
        return new GlintException(ErrorKind.TOO_LARGE, "Image exceeds the storage quota: The size of the data " + size
                + " will exceed the limit. " + Math.max(0, remaining) + " bytes remaining.");
    }

    private static GlintException sizeMismatch(long received, long expected) {
        return GlintException.badRequest("The uploaded data (" + (received > expected ? "more than " : "") + received
                + " bytes) does not match the expected image size of " + expected + " bytes.");
    }
}
